/**
 * A provider's openid-client configuration: discovered from an OpenID Connect issuer, or built from the configured
 * endpoints of a plain OAuth 2.0 provider (which has no discovery).
 */
import * as client from 'openid-client';
import type { ResolvedProvider, TokenEndpointAuthMethod } from '../config/types.js';
import { OAuthRouterError } from '../errors.js';
import { clientAuthentication, discoveredAuthMethod } from './client-authentication.js';
import { tokenEndpointQuirks } from './token-endpoint-quirks.js';
import { transportOf } from './transport.js';

/** Seconds before a call to a provider is abandoned; a hung provider must not hang our requests. */
export const PROVIDER_TIMEOUT_SECONDS = 10;

/**
 * Fetches (OIDC) or assembles (OAuth 2.0) a provider's metadata and builds its openid-client configuration, with
 * the client authentication, the transport and the signature checks it needs.
 *
 * @param provider - The resolved provider.
 * @returns The configuration, the client authentication method in effect (discovery may have chosen it), and
 *   whether authorization requests are pushed (PAR).
 * @example
 * const { config, method } = await discover(provider);
 * @see OpenID Connect Discovery 1.0 §4
 */
export async function discover(
  provider: ResolvedProvider,
): Promise<{ config: client.Configuration; method: TokenEndpointAuthMethod; pushed: boolean }> {
  let metadata: client.ServerMetadata;
  if (provider.kind === 'oidc') {
    const discovered = await client.discovery(provider.issuer, provider.clientId, undefined, undefined, {
      execute: provider.allowInsecureRequests ? [client.allowInsecureRequests] : [],
      timeout: PROVIDER_TIMEOUT_SECONDS,
      [client.customFetch]: transportOf(provider),
    });
    metadata = discovered.serverMetadata();
  } else {
    // Plain OAuth 2.0 has no discovery: the metadata is the configured endpoints.
    const { endpoints } = provider;
    metadata = {
      issuer: endpoints.authorizationUrl.origin,
      authorization_endpoint: endpoints.authorizationUrl.href,
      token_endpoint: endpoints.tokenUrl.href,
      userinfo_endpoint: endpoints.userinfoUrl?.href,
      revocation_endpoint: endpoints.revocationUrl?.href,
    };
  }
  const method = provider.authMethodFromDiscovery
    ? discoveredAuthMethod(metadata.token_endpoint_auth_methods_supported)
    : provider.tokenEndpointAuthMethod;
  const assertion = method === 'private_key_jwt' ? provider.clientAssertionKey : undefined;
  const signing = metadata.token_endpoint_auth_signing_alg_values_supported;
  if (assertion && signing?.length && !signing.includes(assertion.alg)) {
    throw new OAuthRouterError(
      'provider_error',
      `${provider.name}: the provider accepts client assertions signed with ${signing.join(', ')}; clientAssertionKey signs with ${assertion.alg}: use a key of one of those types`,
      { provider: provider.name },
    );
  }
  const config = new client.Configuration(
    metadata,
    provider.clientId,
    undefined,
    clientAuthentication(provider, method),
  );
  if (provider.allowInsecureRequests) client.allowInsecureRequests(config);
  // openid-client trusts an id_token from the token endpoint on the strength of TLS alone (OIDC Core
  // §3.1.3.7 allows it). We verify the signature too: a token response altered on the way (a TLS-inspecting
  // proxy, a compromised transport) or forged by a look-alike endpoint must not sign anyone in. The JWK Set
  // is fetched once, cached for five minutes and fetched again (at most once a minute) when a token names a
  // key it does not hold, so a provider's key rotation is picked up.
  if (provider.kind === 'oidc' && provider.idTokenSignature === 'jwks')
    client.enableNonRepudiationChecks(config);
  config.timeout = PROVIDER_TIMEOUT_SECONDS;
  config[client.customFetch] =
    provider.tokenErrorsWithStatus200 || provider.tokenRequestFormat === 'json'
      ? tokenEndpointQuirks(provider, metadata.token_endpoint)
      : transportOf(provider);
  // RFC 9126: pushed when the app asks for it, or when the provider requires it (§5).
  const pushed =
    provider.pushedAuthorizationRequests ?? metadata.require_pushed_authorization_requests === true;
  return { config, method, pushed };
}
