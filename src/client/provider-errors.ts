/** The one place openid-client errors become {@link OAuthRouterError}s. */
import * as client from 'openid-client';
import type { ResolvedProvider, TokenEndpointAuthMethod } from '../config/types.js';
import { OAuthRouterError, ProviderUnavailableError } from '../errors.js';
import { quoteForLog } from '../internal/log-text.js';

/**
 * What {@link tokenEndpointError} reads of a provider client. Spelled out rather than imported, since the
 * provider client maps its discovery errors here (an import back would be a cycle).
 */
export interface TokenEndpointCaller {
  readonly provider: ResolvedProvider;
  /** The client authentication in effect at the token endpoint. */
  authMethod(): TokenEndpointAuthMethod;
}

/**
 * A token endpoint failure as an {@link OAuthRouterError}. With HTTP Basic client authentication, answers that
 * often mean "this provider refuses Basic" (`invalid_client`, `unauthorized_client`, a 4xx without a JSON body)
 * get the fix in the log message, since nothing else tells the developer why correct credentials fail.
 *
 * @param err - What the openid-client grant threw.
 * @param providerClient - The provider's client (a `ProviderClient`).
 * @param context - What failed, for the message (`refresh failed`).
 * @returns The error to throw.
 * @example
 * throw await tokenEndpointError(err, providerClient, 'refresh failed');
 * @see RFC 6749 §5.2
 */
export async function tokenEndpointError(
  err: unknown,
  providerClient: TokenEndpointCaller,
  context: string,
): Promise<OAuthRouterError> {
  const error = toProviderError(err, providerClient.provider.name, context);
  const busy = await unavailable(err, providerClient.provider.name, error.providerError);
  if (busy) return busy;
  if (error.providerError === undefined) {
    const code = await serverErrorCode(err);
    if (code !== undefined) {
      return new OAuthRouterError(error.code, `${error.message}: provider answered ${quoteForLog(code)}`, {
        cause: err,
        provider: providerClient.provider.name,
        providerError: code,
      });
    }
  }
  if (
    providerClient.authMethod() === 'client_secret_basic' &&
    !providerClient.provider.clientSecretFactory &&
    mayMeanBasicRefused(err)
  ) {
    error.message += `; if the client id and secret are right, the provider may refuse HTTP Basic client authentication: set tokenEndpointAuthMethod: 'client_secret_post'`;
  }
  return error;
}

/**
 * Whether a token endpoint failure is one a provider that refuses HTTP Basic client authentication gives.
 *
 * @param err - What the openid-client grant threw.
 * @returns true for `invalid_client`, `unauthorized_client`, a `WWW-Authenticate` challenge, or a 4xx without a body.
 * @example
 * if (mayMeanBasicRefused(err)) console.log("try tokenEndpointAuthMethod: 'client_secret_post'");
 * @see RFC 6749 §2.3.1, §5.2
 */
export function mayMeanBasicRefused(err: unknown): boolean {
  if (err instanceof client.ResponseBodyError)
    return err.error === 'invalid_client' || err.error === 'unauthorized_client';
  if (err instanceof client.WWWAuthenticateChallengeError) return true;
  const response = (err as { cause?: unknown } | null)?.cause;
  return response instanceof Response && response.status >= 400 && response.status < 500;
}

/**
 * The one place openid-client errors become {@link OAuthRouterError}s. The provider's raw answer is kept as
 * the non-enumerable `cause`, never in the message shown to users.
 *
 * @param err - What openid-client threw (an {@link OAuthRouterError} passes through).
 * @param provider - The provider's name, for the message.
 * @param context - What failed, for the message (`discovery failed`).
 * @returns `access_denied`, `invalid_state` or `provider_error`.
 * @example
 * throw toProviderError(err, provider.name, 'revocation failed');
 * @see RFC 6749 §4.1.2.1, §5.2
 */
export function toProviderError(err: unknown, provider: string, context: string): OAuthRouterError {
  if (err instanceof OAuthRouterError) return err;
  if (err instanceof client.AuthorizationResponseError) {
    const code = err.error === 'access_denied' ? 'access_denied' : 'provider_error';
    return new OAuthRouterError(code, `${provider}: authorization response error ${quoteForLog(err.error)}`, {
      cause: err,
      provider,
      providerError: oauthErrorCode(err.error),
    });
  }
  if (err instanceof client.ResponseBodyError) {
    return new OAuthRouterError(
      'provider_error',
      `${provider}: ${context}: provider answered ${quoteForLog(err.error)}`,
      {
        cause: err,
        provider,
        providerError: oauthErrorCode(err.error),
      },
    );
  }
  if (err instanceof client.WWWAuthenticateChallengeError) {
    // A 401 with `WWW-Authenticate: Basic error="invalid_client"`: the OAuth error travels in the challenge.
    const code = err.cause.map((challenge) => challenge.parameters.error).find((e) => typeof e === 'string');
    return new OAuthRouterError(
      'provider_error',
      `${provider}: ${context}: provider answered ${quoteForLog(code ?? err.status)}`,
      {
        cause: err,
        provider,
        providerError: oauthErrorCode(code),
      },
    );
  }
  if (err instanceof client.ClientError && /"state"/.test(err.message)) {
    return new OAuthRouterError('invalid_state', `${provider}: ${err.message}`, { cause: err, provider });
  }
  let message = err instanceof Error ? err.message : String(err);
  // openid-client's generic message hides which check failed; the wrapped one names it (e.g. the "nonce"
  // claim) without values. Values stay in the non-enumerable cause, out of logs.
  const inner = err instanceof client.ClientError ? err.cause : undefined;
  if (inner instanceof Error && inner.message !== message) message += `: ${inner.message}`;
  return new OAuthRouterError('provider_error', `${provider}: ${context}: ${message}`, {
    cause: err,
    provider,
  });
}

/**
 * The provider's OAuth error code as it may travel on (events, `failureRedirect`'s `provider_error`): an RFC 6749
 * error code is a short token (`invalid_scope`, `consent_required`); anything else is the provider's (or an
 * attacker's) free text and is dropped.
 */
/** The longest `Retry-After` honoured: a provider's answer must not silence it for days. */
const MAX_RETRY_AFTER_MS = 3_600_000;

/**
 * A 429 or 503 with `Retry-After` (delta-seconds or an HTTP-date, RFC 9110 §10.2.3) as a
 * {@link ProviderUnavailableError}; anything else, undefined.
 */
async function unavailable(
  err: unknown,
  provider: string,
  providerError: string | undefined,
): Promise<ProviderUnavailableError | undefined> {
  const response = responseOf(err);
  if (!response || (response.status !== 429 && response.status !== 503)) return undefined;
  const header = response.headers.get('retry-after')?.trim();
  if (!header) return undefined;
  const now = Date.now();
  const at = /^\d{1,10}$/.test(header) ? now + Number(header) * 1000 : Date.parse(header);
  if (Number.isNaN(at)) return undefined;
  const retryAt = Math.min(Math.max(at, now + 1000), now + MAX_RETRY_AFTER_MS);
  return new ProviderUnavailableError(provider, new Date(retryAt), {
    cause: err,
    providerError: providerError ?? (await serverErrorCode(err)),
  });
}

/** The HTTP response an openid-client error carries, if any. */
function responseOf(err: unknown): Response | undefined {
  if (err instanceof client.ResponseBodyError || err instanceof client.WWWAuthenticateChallengeError)
    return err.response;
  const cause = (err as { cause?: unknown } | null)?.cause;
  return cause instanceof Response ? cause : undefined;
}

/**
 * The OAuth error code of a 5xx token endpoint answer (`temporarily_unavailable`, `server_error`), which
 * openid-client does not parse (RFC 6749 §5.2 only defines error bodies for 400/401, but providers send them
 * with 503 too). Reads at most a few kilobytes of a JSON body.
 */
async function serverErrorCode(err: unknown): Promise<string | undefined> {
  const response = responseOf(err);
  if (!response || response.status < 500 || response.bodyUsed) return undefined;
  if (!/\bjson\b/i.test(response.headers.get('content-type') ?? '')) return undefined;
  if (Number(response.headers.get('content-length') ?? 0) > 4096) return undefined;
  try {
    // The body is read here or never: openid-client left it unread.
    const text = await response.text();
    if (text.length > 4096) return undefined;
    const body = JSON.parse(text) as { error?: unknown } | null;
    return oauthErrorCode(body?.error);
  } catch {
    return undefined;
  }
}

function oauthErrorCode(value: unknown): string | undefined {
  return typeof value === 'string' && /^[A-Za-z0-9_.-]{1,64}$/.test(value) ? value : undefined;
}
