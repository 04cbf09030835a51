/** The start of a login: the per-login secrets and the authorization request URL. */
import { createHash } from 'node:crypto';
import * as client from 'openid-client';
import type { ProviderClient } from './provider-client.js';
import { toProviderError } from './provider-errors.js';

/** The per-login secrets minted at login and checked at the callback. */
export interface AuthorizationSecrets {
  /** 32 random bytes, base64url: binds the callback to this login (CSRF). */
  state: string;
  /** 32 random bytes, base64url: binds the id_token to this login (replay/injection). */
  nonce: string;
  /** PKCE code verifier, 32 random bytes base64url (RFC 7636 §4.1). */
  codeVerifier: string;
}

/**
 * Mints the state, nonce and PKCE verifier of one login.
 *
 * @returns Fresh secrets; keep them server-side until the callback.
 * @example
 * const secrets = newAuthorizationSecrets();
 * @see RFC 6749 §10.12, RFC 7636 §4.1, OpenID Connect Core §15.5.2
 */
export function newAuthorizationSecrets(): AuthorizationSecrets {
  return {
    state: client.randomState(),
    nonce: client.randomNonce(),
    codeVerifier: client.randomPKCECodeVerifier(),
  };
}

/**
 * Builds the authorization request URL: code flow, PKCE S256, state and nonce.
 *
 * @param providerClient - The provider's client (discovery runs on first use).
 * @param secrets - This login's secrets.
 * @param extraScopes - Scopes asked for beyond the provider's configured ones.
 * @param loginParams - Login query parameters the preset lets through, already checked against their patterns.
 * @param skipConsent - Leave out the `prompt=consent` the provider's configuration asks for only to obtain a
 *   refresh token, because the user already holds one.
 * @returns The URL to redirect the browser to.
 * @example
 * const url = await buildAuthorizationUrl(providerClient, secrets, ['repo']);
 * @see RFC 7636 §4.3, OpenID Connect Core §3.1.2.1
 */
export async function buildAuthorizationUrl(
  providerClient: ProviderClient,
  secrets: AuthorizationSecrets,
  extraScopes: readonly string[] = [],
  loginParams: Readonly<Record<string, string>> = {},
  skipConsent = false,
): Promise<URL> {
  const { provider } = providerClient;
  const config = await providerClient.configuration();
  const params: Record<string, string> = {
    ...provider.authorizationParams,
    ...loginParams,
    redirect_uri: provider.redirectUri,
    response_type: 'code',
    scope: [...provider.scopes, ...extraScopes.filter((scope) => !provider.scopes.includes(scope))].join(
      provider.scopeSeparator,
    ),
    state: secrets.state,
  };
  if (skipConsent && loginParams.prompt === undefined && params.prompt === 'consent') delete params.prompt;
  // Providers whose app settings decide the grant (Naver) take no scope parameter at all.
  if (params.scope === '') delete params.scope;
  if (provider.kind === 'oidc') params.nonce = secrets.nonce;
  if (provider.pkce) {
    params.code_challenge = pkceChallenge(secrets.codeVerifier);
    params.code_challenge_method = 'S256';
  }
  if (provider.responseMode === 'form_post') params.response_mode = 'form_post';
  if (!providerClient.pushed()) return client.buildAuthorizationUrl(config, params);
  // The parameters go to the provider over the back channel, authenticated; the browser carries only
  // client_id and the one-time request_uri (RFC 9126 §4).
  try {
    return await client.buildAuthorizationUrlWithPAR(config, params);
  } catch (err) {
    throw toProviderError(err, provider.name, 'pushed authorization request failed');
  }
}

/**
 * The S256 code challenge, BASE64URL(SHA-256(verifier)) (RFC 7636 §4.2), with node:crypto's synchronous hash.
 * openid-client's `calculatePKCECodeChallenge` computes the same through WebCrypto, whose digest is an async job on
 * the thread pool, a cost out of proportion to 43 bytes of input (bench/RESULTS.md). A test holds the two equal.
 *
 * @param codeVerifier - The PKCE code verifier.
 * @returns The code challenge.
 * @example
 * pkceChallenge(secrets.codeVerifier);
 * @see RFC 7636 §4.2
 */
export function pkceChallenge(codeVerifier: string): string {
  return createHash('sha256').update(codeVerifier, 'ascii').digest('base64url');
}
