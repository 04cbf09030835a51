/**
 * Who signed in, as the provider says it: the id_token claims with UserInfo when it is worth a request (OpenID
 * Connect), or the profile endpoint's answer completed by the preset's `fetchProfile` (plain OAuth 2.0).
 */
import * as client from 'openid-client';
import type { ResolvedProvider } from '../config/types.js';
import { OAuthRouterError } from '../errors.js';
import type { ProviderGet } from '../providers/types.js';
import { inSpan } from '../telemetry/otel.js';
import { idTokenClaims } from './id-token.js';

/**
 * Reads the signed-in user's claims after a code exchange.
 *
 * @param provider - The resolved provider.
 * @param config - The provider's openid-client configuration.
 * @param tokens - The token response of the code exchange.
 * @returns The raw claims the provider's profile mapper reads.
 * @throws OAuthRouterError `provider_error` when the id_token fails a check or a profile request fails.
 * @example
 * const claims = await identityClaims(provider, config, tokens);
 * @see OpenID Connect Core §3.1.3.7, §5.3
 */
export async function identityClaims(
  provider: ResolvedProvider,
  config: client.Configuration,
  tokens: client.TokenEndpointResponse & client.TokenEndpointResponseHelpers,
): Promise<Record<string, unknown>> {
  if (provider.kind === 'oidc') {
    const idClaims = await idTokenClaims(provider, tokens);
    const claims = { ...idClaims };
    // serverMetadata() returns a structured clone: read it only when UserInfo is wanted at all.
    if (
      provider.fetchUserInfo &&
      missesScopedClaims(claims, provider.scopes) &&
      config.serverMetadata().userinfo_endpoint
    ) {
      const userinfo = await inSpan(
        'oauth.userinfo',
        { 'oauth.provider': provider.name },
        () => client.fetchUserInfo(config, tokens.access_token, idClaims.sub),
        'client',
      );
      return { ...claims, ...userinfo };
    }
    return claims;
  }
  // An integration-only provider has no profile endpoint: its login connects an API to a signed-in user.
  if (!provider.endpoints.userinfoUrl) return {};
  const get: ProviderGet = (url) => getJson(config, tokens.access_token, url, provider.name);
  const userinfoUrl = provider.endpoints.userinfoUrl.href;
  return inSpan(
    'oauth.userinfo',
    { 'oauth.provider': provider.name },
    async () => {
      const claims = (await get(userinfoUrl)) as Record<string, unknown>;
      return provider.fetchProfile ? provider.fetchProfile(claims, get, userinfoUrl) : claims;
    },
    'client',
  );
}

/**
 * Whether the id_token lacks a claim the requested `email` / `profile` scopes stand for, so UserInfo is worth a
 * round trip. Providers that put them in the id_token already (Google does) save one request per sign-in.
 * @see OpenID Connect Core §5.4
 */
function missesScopedClaims(claims: Record<string, unknown>, scopes: readonly string[]): boolean {
  if (scopes.includes('email') && (claims.email === undefined || claims.email_verified === undefined))
    return true;
  return scopes.includes('profile') && claims.name === undefined;
}

/** An authenticated GET at the provider's API, answered as JSON; failures become `provider_error`. */
async function getJson(
  config: client.Configuration,
  accessToken: string,
  url: string,
  provider: string,
): Promise<unknown> {
  const res = await client.fetchProtectedResource(
    config,
    accessToken,
    new URL(url),
    'GET',
    undefined,
    // GitHub's API refuses requests without a User-Agent.
    new Headers({ accept: 'application/json', 'user-agent': 'express-oauth-router' }),
  );
  if (!res.ok)
    throw new OAuthRouterError('provider_error', `${provider}: profile request answered ${res.status}`, {
      provider,
    });
  return res.json();
}
