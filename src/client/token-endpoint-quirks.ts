/** The fetch for a provider whose token endpoint deviates from RFC 6749 in a documented way. */
import type { ResolvedProvider } from '../config/types.js';
import { transportOf } from './transport.js';

/**
 * Adapts token requests to providers that deviate from RFC 6749 in a documented way: a JSON request body
 * (Fluxer), or errors reported with HTTP 200 (GitHub), re-read as the 400 they mean. Other requests pass as they are.
 *
 * @param provider - The resolved provider, whose `tokenRequestFormat` and `tokenErrorsWithStatus200` say what to adapt.
 * @param tokenEndpoint - The token endpoint URL; only requests to it are adapted.
 * @returns A fetch for openid-client's `customFetch`.
 * @example
 * config[client.customFetch] = tokenEndpointQuirks(provider, metadata.token_endpoint);
 * @see RFC 6749 §4.1.3, §5.2
 */
export function tokenEndpointQuirks(
  provider: ResolvedProvider,
  tokenEndpoint: string | undefined,
): typeof fetch {
  return async (input, init) => {
    const url = input instanceof Request ? input.url : String(input);
    if (url !== tokenEndpoint) return transportOf(provider)(input, init);
    let options = init;
    if (provider.tokenRequestFormat === 'json' && init?.body !== undefined && init.body !== null) {
      const headers = new Headers(init.headers);
      headers.set('content-type', 'application/json');
      const form = new URLSearchParams(init.body as URLSearchParams | string);
      options = { ...init, headers, body: JSON.stringify(Object.fromEntries(form)) };
    }
    const res = await transportOf(provider)(input, options);
    if (!provider.tokenErrorsWithStatus200 || res.status !== 200) return res;
    const text = await res.text();
    let erred = false;
    try {
      erred = typeof (JSON.parse(text) as { error?: unknown }).error === 'string';
    } catch {
      // Not JSON: leave it to openid-client to reject.
    }
    return new Response(text, { status: erred ? 400 : 200, headers: res.headers });
  };
}
