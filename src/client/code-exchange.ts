/** The callback's protocol step: the authorization response checked and its code exchanged for tokens. */
import * as client from 'openid-client';
import { inSpan } from '../telemetry/otel.js';
import type { AuthorizationSecrets } from './authorization-url.js';
import { identityClaims } from './identity-claims.js';
import type { ProviderClient } from './provider-client.js';
import { callTokenEndpoint } from './token-endpoint-call.js';
import { type TokenResponse, toTokenResponse } from './token-response.js';

/** What the code exchange yields: the tokens and the validated identity. */
export interface CodeExchangeResult extends TokenResponse {
  /** The validated id_token claims, merged with UserInfo when enabled. */
  claims: Record<string, unknown>;
}

/**
 * Validates the authorization response (state, RFC 9207 `iss`, `error`), exchanges the code with the PKCE
 * verifier, and validates the id_token (signature, iss, aud, exp, nonce).
 *
 * @param providerClient - The provider's client.
 * @param callbackParams - The parameters of the callback, from the query (GET) or the form body (POST).
 * @param secrets - The secrets minted at this login.
 * @returns The tokens and the user's claims.
 * @throws OAuthRouterError `invalid_state`, `access_denied` or `provider_error`.
 * @example
 * const { accessToken, claims } = await exchangeCode(providerClient, params, flow.secrets);
 * @see RFC 6749 §4.1.2–4.1.4, RFC 7636 §4.5, RFC 9207, OpenID Connect Core §3.1.3
 */
export async function exchangeCode(
  providerClient: ProviderClient,
  callbackParams: URLSearchParams,
  secrets: AuthorizationSecrets,
): Promise<CodeExchangeResult> {
  const { provider } = providerClient;
  const config = await providerClient.configuration();
  // Built from the configured redirect URI, not the request, so a proxy's Host header cannot change redirect_uri.
  const currentUrl = new URL(provider.redirectUri);
  for (const [key, value] of callbackParams) currentUrl.searchParams.append(key, value);
  return inSpan(
    'oauth.code_exchange',
    { 'oauth.provider': provider.name },
    () =>
      callTokenEndpoint(providerClient, 'code exchange failed', async () => {
        const tokens = await client.authorizationCodeGrant(
          config,
          currentUrl,
          provider.kind === 'oidc'
            ? {
                pkceCodeVerifier: provider.pkce ? secrets.codeVerifier : undefined,
                expectedState: secrets.state,
                expectedNonce: secrets.nonce,
                idTokenExpected: true,
              }
            : {
                pkceCodeVerifier: provider.pkce ? secrets.codeVerifier : undefined,
                expectedState: secrets.state,
              },
        );
        const claims = await identityClaims(provider, config, tokens);
        return { ...toTokenResponse(tokens), claims };
      }),
    'client',
  );
}
