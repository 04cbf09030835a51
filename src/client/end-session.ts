/** RP-Initiated Logout: the URL that ends the user's session at the provider. */
import * as client from 'openid-client';
import type { ProviderClient } from './provider-client.js';

/**
 * The provider's RP-Initiated Logout URL, or undefined when it has no `end_session_endpoint`.
 *
 * @param providerClient - The provider's client.
 * @param postLogoutRedirectUri - Where the provider sends the browser back to.
 * @returns The URL to redirect the browser to, or undefined.
 * @example
 * const url = await endSessionUrl(providerClient, 'https://app.example.com/');
 * @see OpenID Connect RP-Initiated Logout 1.0 §2
 */
export async function endSessionUrl(
  providerClient: ProviderClient,
  postLogoutRedirectUri: string,
): Promise<URL | undefined> {
  if (providerClient.provider.kind !== 'oidc') return undefined;
  const config = await providerClient.configuration();
  if (!config.serverMetadata().end_session_endpoint) return undefined;
  // No id_token_hint: sign-in mode keeps no tokens. Providers may then ask the user to confirm the logout.
  return client.buildEndSessionUrl(config, {
    post_logout_redirect_uri: postLogoutRedirectUri,
    client_id: providerClient.provider.clientId,
  });
}
