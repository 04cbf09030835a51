/** Token revocation at the provider. */
import * as client from 'openid-client';
import { presetOf } from '../providers/index.js';
import { inSpan } from '../telemetry/otel.js';
import type { ProviderClient } from './provider-client.js';
import { toProviderError } from './provider-errors.js';
import { transportOf } from './transport.js';

/**
 * Revokes a token at the provider when it has a revocation endpoint.
 *
 * @param providerClient - The provider's client.
 * @param token - The token to revoke.
 * @param hint - Which kind of token it is.
 * @returns false when the provider has no revocation endpoint (nothing was sent).
 * @throws OAuthRouterError `provider_error`.
 * @example
 * await revokeToken(providerClient, record.refreshToken, 'refresh_token');
 * @see RFC 7009
 */
export async function revokeToken(
  providerClient: ProviderClient,
  token: string,
  hint: 'access_token' | 'refresh_token',
): Promise<boolean> {
  const { provider } = providerClient;
  const config = await providerClient.configuration();
  const endpoint = config.serverMetadata().revocation_endpoint;
  if (!endpoint) return false;
  const custom = presetOf(provider)?.revoke;
  return inSpan(
    'oauth.revocation',
    { 'oauth.provider': provider.name, 'oauth.token_type_hint': hint },
    async () => {
      try {
        if (custom) {
          return await custom({
            token,
            hint,
            clientId: provider.clientId,
            clientSecret: provider.clientSecret,
            revocationUrl: endpoint,
            fetch: transportOf(provider),
          });
        }
        await client.tokenRevocation(config, token, { token_type_hint: hint });
        return true;
      } catch (err) {
        throw toProviderError(err, providerClient.provider.name, 'revocation failed');
      }
    },
    'client',
  );
}
