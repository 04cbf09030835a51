/** The id_token checks we add to openid-client's: HMAC signatures and an `iat` in the future. */
import { jwtVerify } from 'jose';
import type * as client from 'openid-client';
import type { ResolvedOidcProvider } from '../config/types.js';
import { OAuthRouterError } from '../errors.js';

/** How far in the future an id_token's `iat` may be (clock skew between us and the provider), in seconds. */
const MAX_IAT_SKEW_SECONDS = 60;

/**
 * The claims of the id_token in a code exchange's token response, which openid-client validated (iss, aud, exp,
 * nonce, and the signature when it comes from the JWK Set), checked further: an HMAC signature with the client
 * secret for providers that sign so, and an `iat` no later than the clock skew allows.
 *
 * @param provider - The OpenID Connect provider.
 * @param tokens - The token response of the code exchange.
 * @returns The id_token claims.
 * @throws OAuthRouterError `provider_error` when there is no id_token, its signature is invalid, or it is dated in
 *   the future.
 * @example
 * const claims = await idTokenClaims(provider, tokens);
 * @see OpenID Connect Core §3.1.3.7
 */
export async function idTokenClaims(
  provider: ResolvedOidcProvider,
  tokens: client.TokenEndpointResponse & client.TokenEndpointResponseHelpers,
): Promise<client.IDToken> {
  const claims = tokens.claims();
  if (!claims || !tokens.id_token)
    throw new OAuthRouterError('provider_error', 'No id_token in the token response');
  if (provider.idTokenSignature === 'client_secret') await verifyHmacIdToken(provider, tokens.id_token);
  // A token dated in the future was minted ahead of time, by a wrong clock or for later replay.
  if (claims.iat > Math.floor(Date.now() / 1000) + MAX_IAT_SKEW_SECONDS)
    throw new OAuthRouterError('provider_error', `${provider.name}: the id_token "iat" is in the future`, {
      provider: provider.name,
    });
  return claims;
}

/**
 * Verifies an id_token signed with the client secret (HS256/384/512, OIDC Core §10.1), for providers that do so.
 * Its claims were validated by openid-client already; this adds the signature check openid-client leaves out.
 */
async function verifyHmacIdToken(provider: ResolvedOidcProvider, idToken: string): Promise<void> {
  if (!provider.clientSecret)
    throw new OAuthRouterError('provider_error', `${provider.name}: an HMAC id_token needs clientSecret`, {
      provider: provider.name,
    });
  try {
    await jwtVerify(idToken, new TextEncoder().encode(provider.clientSecret), {
      algorithms: ['HS256', 'HS384', 'HS512'],
    });
  } catch (err) {
    throw new OAuthRouterError('provider_error', `${provider.name}: the id_token signature is invalid`, {
      cause: err,
      provider: provider.name,
    });
  }
}
