/** Every token endpoint request goes through here: the shared `Retry-After` wait, then the error mapping. */
import { ProviderUnavailableError } from '../errors.js';
import type { ProviderClient } from './provider-client.js';
import { tokenEndpointError } from './provider-errors.js';

/**
 * Makes a token endpoint request unless the provider asked every instance to wait (then fails at once with
 * {@link ProviderUnavailableError}, without calling it), and maps a failure to an `OAuthRouterError`; a 429/503
 * with `Retry-After` starts such a wait for every instance.
 *
 * @param providerClient - The provider's client.
 * @param context - What is being done, for the error message (`refresh failed`).
 * @param call - The openid-client grant.
 * @returns What the grant returned.
 * @throws ProviderUnavailableError while the provider's wait lasts; OAuthRouterError for any other failure.
 * @example
 * const tokens = await callTokenEndpoint(providerClient, 'refresh failed', () => client.refreshTokenGrant(config, rt));
 */
export async function callTokenEndpoint<T>(
  providerClient: ProviderClient,
  context: string,
  call: () => Promise<T>,
): Promise<T> {
  const name = providerClient.provider.name;
  const held = await providerClient.backoff?.heldUntil(name);
  if (held) throw new ProviderUnavailableError(name, new Date(held));
  try {
    return await call();
  } catch (err) {
    const error = await tokenEndpointError(err, providerClient, context);
    if (error instanceof ProviderUnavailableError) {
      await providerClient.backoff?.hold(name, error.retryAt.getTime());
    }
    throw error;
  }
}
