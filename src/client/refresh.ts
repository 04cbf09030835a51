/** The refresh token grant. */
import * as client from 'openid-client';
import type { ProviderClient } from './provider-client.js';
import { callTokenEndpoint } from './token-endpoint-call.js';
import { type TokenResponse, toTokenResponse } from './token-response.js';

/**
 * Uses a refresh token. A provider answer of `invalid_grant` (revoked, expired or reused refresh token) comes
 * back as an error with `providerError: 'invalid_grant'`; anything else (5xx, network) is transient.
 *
 * @param providerClient - The provider's client.
 * @param refreshToken - The refresh token to use.
 * @returns The new tokens; `refreshToken` is undefined when the provider does not rotate it.
 * @throws OAuthRouterError `provider_error`.
 * @example
 * const tokens = await refreshTokens(providerClient, record.refreshToken);
 * @see RFC 6749 §6
 */
export async function refreshTokens(
  providerClient: ProviderClient,
  refreshToken: string,
): Promise<TokenResponse> {
  const config = await providerClient.configuration();
  return toTokenResponse(
    await callTokenEndpoint(providerClient, 'refresh failed', () =>
      client.refreshTokenGrant(config, refreshToken),
    ),
  );
}
