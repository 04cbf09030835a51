/** The client credentials grant: a token for the app itself. */
import * as client from 'openid-client';
import type { ProviderClient } from './provider-client.js';
import { callTokenEndpoint } from './token-endpoint-call.js';
import { type TokenResponse, toTokenResponse } from './token-response.js';

/**
 * Obtains a token for the app itself (no user).
 *
 * @param providerClient - The provider's client.
 * @param scopes - The scopes to ask for; none sends no `scope` parameter.
 * @returns The token.
 * @throws OAuthRouterError `provider_error`.
 * @example
 * const { accessToken } = await clientCredentialsToken(providerClient, ['api']);
 * @see RFC 6749 §4.4
 */
export async function clientCredentialsToken(
  providerClient: ProviderClient,
  scopes: string[],
): Promise<TokenResponse> {
  const config = await providerClient.configuration();
  const parameters: Record<string, string> = scopes.length > 0 ? { scope: scopes.join(' ') } : {};
  return toTokenResponse(
    await callTokenEndpoint(providerClient, 'client credentials grant failed', () =>
      client.clientCredentialsGrant(config, parameters),
    ),
  );
}
