/** A token endpoint answer in our camelCase shape. */
import type * as client from 'openid-client';

/** A token endpoint answer, for refresh and client credentials. */
export interface TokenResponse {
  accessToken: string;
  /** Absent when the provider does not rotate refresh tokens: keep the old one. */
  refreshToken: string | undefined;
  /** Seconds the access token lives, when the provider says. */
  expiresIn: number | undefined;
  scope: string | undefined;
  tokenType: string;
  idToken: string | undefined;
}

/**
 * Reads openid-client's token endpoint response into a {@link TokenResponse}.
 *
 * @param tokens - What an openid-client grant resolved with.
 * @returns The tokens, camelCase.
 * @example
 * toTokenResponse(await client.refreshTokenGrant(config, refreshToken));
 * @see RFC 6749 §5.1
 */
export function toTokenResponse(
  tokens: client.TokenEndpointResponse & client.TokenEndpointResponseHelpers,
): TokenResponse {
  return {
    accessToken: tokens.access_token,
    refreshToken: tokens.refresh_token,
    expiresIn: tokens.expiresIn(),
    scope: tokens.scope,
    tokenType: tokens.token_type,
    idToken: tokens.id_token,
  };
}
