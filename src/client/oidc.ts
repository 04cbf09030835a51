/**
 * The only module that imports openid-client: discovery, PKCE, the authorization URL, the code exchange with
 * id_token validation, and UserInfo. Everything protocol-level is openid-client's; this file only adapts it.
 */
import { createHash } from 'node:crypto';
import { jwtVerify } from 'jose';
import * as client from 'openid-client';
import type { ResolvedProvider, TokenEndpointAuthMethod } from '../config/types.js';
import { OAuthRouterError } from '../errors.js';
import { quoteForLog } from '../internal/log-text.js';
import type { Profile, ProviderGet } from '../providers/types.js';
import { providerFetch } from './transport.js';

/** Seconds before a call to a provider is abandoned; a hung provider must not hang our requests. */
const PROVIDER_TIMEOUT_SECONDS = 10;
/** How far in the future an id_token's `iat` may be (clock skew between us and the provider), in seconds. */
const MAX_IAT_SKEW_SECONDS = 60;

/** The per-login secrets minted at login and checked at the callback. */
export interface AuthorizationSecrets {
  /** 32 random bytes, base64url: binds the callback to this login (CSRF). */
  state: string;
  /** 32 random bytes, base64url: binds the id_token to this login (replay/injection). */
  nonce: string;
  /** PKCE code verifier, 32 random bytes base64url (RFC 7636 §4.1). */
  codeVerifier: string;
}

/** Mints the state, nonce and PKCE verifier of one login. */
export function newAuthorizationSecrets(): AuthorizationSecrets {
  return {
    state: client.randomState(),
    nonce: client.randomNonce(),
    codeVerifier: client.randomPKCECodeVerifier(),
  };
}

/** A provider's discovered configuration, fetched on first use and kept. */
export interface ProviderClient {
  readonly provider: ResolvedProvider;
  /** Resolves the discovered configuration; a failed discovery is retried on the next call. */
  configuration(): Promise<client.Configuration>;
  /**
   * How this client authenticates at the token endpoint: the configured method, or (when neither the app nor the
   * preset chose one) the one the provider's discovery document leaves, once discovery has run.
   */
  authMethod(): TokenEndpointAuthMethod;
}

/**
 * Creates a lazily-discovering client for a provider. Discovery waits for the first login so that an
 * unreachable provider at boot does not stop the app, and so that a failure is not cached.
 */
export function createProviderClient(provider: ResolvedProvider): ProviderClient {
  let pending: Promise<client.Configuration> | undefined;
  let method = provider.tokenEndpointAuthMethod;
  return {
    provider,
    configuration() {
      pending ??= discover(provider).then(
        (discovered) => {
          method = discovered.method;
          return discovered.config;
        },
        (err: unknown) => {
          pending = undefined;
          throw toProviderError(err, provider.name, 'discovery failed');
        },
      );
      return pending;
    },
    authMethod: () => method,
  };
}

async function discover(
  provider: ResolvedProvider,
): Promise<{ config: client.Configuration; method: TokenEndpointAuthMethod }> {
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
      userinfo_endpoint: endpoints.userinfoUrl.href,
      revocation_endpoint: endpoints.revocationUrl?.href,
    };
  }
  const method = provider.authMethodFromDiscovery
    ? discoveredAuthMethod(metadata.token_endpoint_auth_methods_supported)
    : provider.tokenEndpointAuthMethod;
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
  return { config, method };
}

/**
 * The client authentication a discovery document leaves: HTTP Basic, the RFC 6749 default, unless the provider
 * lists supported methods without it and with `client_secret_post` (some self-hosted providers do).
 */
function discoveredAuthMethod(supported: readonly string[] | undefined): TokenEndpointAuthMethod {
  if (!supported?.length || supported.includes('client_secret_basic')) return 'client_secret_basic';
  return supported.includes('client_secret_post') ? 'client_secret_post' : 'client_secret_basic';
}

/**
 * Adapts token requests to providers that deviate from RFC 6749 in a documented way: a JSON request body
 * (Fluxer), or errors reported with HTTP 200 (GitHub), re-read as the 400 they mean. Other requests pass as they are.
 */
function tokenEndpointQuirks(provider: ResolvedProvider, tokenEndpoint: string | undefined): typeof fetch {
  return async (input, init) => {
    const url = input instanceof Request ? input.url : String(input);
    if (url !== tokenEndpoint) return transportOf(provider)(input, init);
    let options = init;
    if (provider.tokenRequestFormat === 'json' && init?.body !== undefined && init.body !== null) {
      const headers = new Headers(init.headers);
      headers.set('content-type', 'application/json');
      const form = new URLSearchParams(init.body as URLSearchParams | string);
      options = { ...init, headers, body: JSON.stringify(Object.fromEntries(form)) };
    }
    const res = await transportOf(provider)(input, options);
    if (!provider.tokenErrorsWithStatus200 || res.status !== 200) return res;
    const text = await res.text();
    let erred = false;
    try {
      erred = typeof (JSON.parse(text) as { error?: unknown }).error === 'string';
    } catch {
      // Not JSON: leave it to openid-client to reject.
    }
    return new Response(text, { status: erred ? 400 : 200, headers: res.headers });
  };
}

/** Lifetime of a computed client secret (Apple's JWT is signed for an hour; renew before it runs out). */
const COMPUTED_SECRET_TTL_MS = 50 * 60 * 1000;

function clientAuthentication(
  provider: ResolvedProvider,
  method: TokenEndpointAuthMethod,
): client.ClientAuth {
  const factory = provider.clientSecretFactory;
  if (factory) {
    let cached: { secret: Promise<string>; until: number } | undefined;
    // oauth4webapi awaits client authentication, so the secret can be computed (and cached) at request time.
    return (async (_as: unknown, _client: unknown, body: URLSearchParams) => {
      if (!cached || cached.until < Date.now()) {
        cached = { secret: factory(), until: Date.now() + COMPUTED_SECRET_TTL_MS };
      }
      body.set('client_id', provider.clientId);
      body.set('client_secret', await cached.secret);
    }) as client.ClientAuth;
  }
  switch (method) {
    case 'none':
      return client.None();
    case 'client_secret_post':
      return client.ClientSecretPost(provider.clientSecret);
    default:
      return client.ClientSecretBasic(provider.clientSecret);
  }
}

/**
 * Builds the authorization request URL: code flow, PKCE S256, state and nonce.
 * @see RFC 7636 §4.3, OpenID Connect Core §3.1.2.1
 */
export async function buildAuthorizationUrl(
  providerClient: ProviderClient,
  secrets: AuthorizationSecrets,
  extraScopes: readonly string[] = [],
  loginParams: Readonly<Record<string, string>> = {},
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
  // Providers whose app settings decide the grant (Naver) take no scope parameter at all.
  if (params.scope === '') delete params.scope;
  if (provider.kind === 'oidc') params.nonce = secrets.nonce;
  if (provider.pkce) {
    params.code_challenge = pkceChallenge(secrets.codeVerifier);
    params.code_challenge_method = 'S256';
  }
  if (provider.responseMode === 'form_post') params.response_mode = 'form_post';
  return client.buildAuthorizationUrl(config, params);
}

/**
 * The S256 code challenge, BASE64URL(SHA-256(verifier)) (RFC 7636 §4.2), with node:crypto's synchronous hash.
 * openid-client's `calculatePKCECodeChallenge` computes the same through WebCrypto, whose digest is an async job on
 * the thread pool: measured at 2.5% of a sign-in's CPU for 43 bytes of input. A test holds the two equal.
 */
export function pkceChallenge(codeVerifier: string): string {
  return createHash('sha256').update(codeVerifier, 'ascii').digest('base64url');
}

/** A token endpoint answer, for refresh and client credentials. */
export interface TokenResponse {
  accessToken: string;
  /** Absent when the provider does not rotate refresh tokens: keep the old one. */
  refreshToken: string | undefined;
  expiresIn: number | undefined;
  scope: string | undefined;
  tokenType: string;
  idToken: string | undefined;
}

function toTokenResponse(
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

/** What the code exchange yields: the tokens and the validated identity. */
export interface CodeExchangeResult extends TokenResponse {
  /** The validated id_token claims, merged with UserInfo when enabled. */
  claims: Record<string, unknown>;
}

/**
 * Validates the authorization response (state, RFC 9207 `iss`, `error`), exchanges the code with the PKCE
 * verifier, and validates the id_token (signature, iss, aud, exp, nonce).
 *
 * @param callbackParams - The parameters of the callback, from the query (GET) or the form body (POST).
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
  try {
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
    const get: ProviderGet = (url) => getJson(config, tokens.access_token, url, provider.name);
    let claims: Record<string, unknown>;
    if (provider.kind === 'oidc') {
      const idClaims = tokens.claims();
      if (!idClaims || !tokens.id_token)
        throw new OAuthRouterError('provider_error', 'No id_token in the token response');
      if (provider.idTokenSignature === 'client_secret') await verifyHmacIdToken(provider, tokens.id_token);
      // A token dated in the future was minted ahead of time, by a wrong clock or for later replay.
      if (idClaims.iat > Math.floor(Date.now() / 1000) + MAX_IAT_SKEW_SECONDS)
        throw new OAuthRouterError(
          'provider_error',
          `${provider.name}: the id_token "iat" is in the future`,
          {
            provider: provider.name,
          },
        );
      claims = { ...idClaims };
      // serverMetadata() returns a structured clone: read it only when UserInfo is wanted at all.
      if (
        provider.fetchUserInfo &&
        missesScopedClaims(claims, provider.scopes) &&
        config.serverMetadata().userinfo_endpoint
      ) {
        claims = { ...claims, ...(await client.fetchUserInfo(config, tokens.access_token, idClaims.sub)) };
      }
    } else {
      const userinfoUrl = provider.endpoints.userinfoUrl.href;
      claims = (await get(userinfoUrl)) as Record<string, unknown>;
      if (provider.fetchProfile) claims = await provider.fetchProfile(claims, get, userinfoUrl);
    }
    return { ...toTokenResponse(tokens), claims: withCallbackName(claims, callbackParams) };
  } catch (err) {
    throw tokenEndpointError(err, providerClient, 'code exchange failed');
  }
}

/**
 * Verifies an id_token signed with the client secret (HS256/384/512, OIDC Core §10.1), for providers that do so.
 * Its claims were validated by openid-client already; this adds the signature check openid-client leaves out.
 */
async function verifyHmacIdToken(provider: ResolvedProvider, idToken: string): Promise<void> {
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

/**
 * Uses a refresh token. A provider answer of `invalid_grant` (revoked, expired or reused refresh token) comes
 * back as an error with `providerError: 'invalid_grant'`; anything else (5xx, network) is transient.
 * @see RFC 6749 §6
 */
export async function refreshTokens(
  providerClient: ProviderClient,
  refreshToken: string,
): Promise<TokenResponse> {
  const config = await providerClient.configuration();
  try {
    return toTokenResponse(await client.refreshTokenGrant(config, refreshToken));
  } catch (err) {
    throw tokenEndpointError(err, providerClient, 'refresh failed');
  }
}

/**
 * Obtains a token for the app itself (no user).
 * @see RFC 6749 §4.4
 */
export async function clientCredentialsToken(
  providerClient: ProviderClient,
  scopes: string[],
): Promise<TokenResponse> {
  const config = await providerClient.configuration();
  try {
    const parameters: Record<string, string> = scopes.length > 0 ? { scope: scopes.join(' ') } : {};
    return toTokenResponse(await client.clientCredentialsGrant(config, parameters));
  } catch (err) {
    throw tokenEndpointError(err, providerClient, 'client credentials grant failed');
  }
}

/**
 * Revokes a token at the provider when it has a revocation endpoint.
 * @returns false when the provider has no revocation endpoint (nothing was sent).
 * @see RFC 7009
 */
export async function revokeToken(
  providerClient: ProviderClient,
  token: string,
  hint: 'access_token' | 'refresh_token',
): Promise<boolean> {
  const config = await providerClient.configuration();
  if (!config.serverMetadata().revocation_endpoint) return false;
  try {
    await client.tokenRevocation(config, token, { token_type_hint: hint });
    return true;
  } catch (err) {
    throw toProviderError(err, providerClient.provider.name, 'revocation failed');
  }
}

/**
 * The provider's RP-Initiated Logout URL, or undefined when it has no `end_session_endpoint`.
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

/**
 * Apple posts the user's name once, in a `user` form field beside the code (never in the id_token). It is not
 * signed, so it only ever fills in a missing display name.
 */
export function withCallbackName(
  claims: Record<string, unknown>,
  params: URLSearchParams,
): Record<string, unknown> {
  const user = params.get('user');
  if (!user || typeof claims.name === 'string') return claims;
  try {
    const name = (JSON.parse(user) as { name?: { firstName?: unknown; lastName?: unknown } }).name;
    const full = [name?.firstName, name?.lastName]
      .filter((part) => typeof part === 'string' && part !== '')
      .join(' ');
    return full ? { ...claims, name: full.slice(0, 200) } : claims;
  } catch {
    return claims;
  }
}

/**
 * Builds the normalised {@link Profile} with the provider's mapper.
 * @throws OAuthRouterError `provider_error` when the provider gave no usable account id.
 */
export function toProfile(provider: ResolvedProvider, raw: Record<string, unknown>): Profile {
  const mapped = provider.mapProfile(raw);
  if (
    !mapped.providerAccountId ||
    mapped.providerAccountId === 'undefined' ||
    mapped.providerAccountId === 'null'
  ) {
    throw new OAuthRouterError('provider_error', `${provider.name}: the profile has no account id`, {
      provider: provider.name,
    });
  }
  return {
    ...mapped,
    provider: provider.name,
    emailVerified: mapped.emailVerified && mapped.email !== null,
    raw,
  };
}

/**
 * A token endpoint failure as an {@link OAuthRouterError}. With HTTP Basic client authentication, answers that
 * often mean "this provider refuses Basic" (`invalid_client`, `unauthorized_client`, a 4xx without a JSON body)
 * get the fix in the log message, since nothing else tells the developer why correct credentials fail.
 */
function tokenEndpointError(err: unknown, providerClient: ProviderClient, context: string): OAuthRouterError {
  const error = toProviderError(err, providerClient.provider.name, context);
  if (
    providerClient.authMethod() === 'client_secret_basic' &&
    !providerClient.provider.clientSecretFactory &&
    mayMeanBasicRefused(err)
  ) {
    error.message += `; if the client id and secret are right, the provider may refuse HTTP Basic client authentication: set tokenEndpointAuthMethod: 'client_secret_post'`;
  }
  return error;
}

/** Whether a token endpoint failure is one a provider that refuses HTTP Basic client authentication gives. */
export function mayMeanBasicRefused(err: unknown): boolean {
  if (err instanceof client.ResponseBodyError)
    return err.error === 'invalid_client' || err.error === 'unauthorized_client';
  if (err instanceof client.WWWAuthenticateChallengeError) return true;
  const response = (err as { cause?: unknown } | null)?.cause;
  return response instanceof Response && response.status >= 400 && response.status < 500;
}

/**
 * The one place openid-client errors become {@link OAuthRouterError}s. The provider's raw answer is kept as
 * the non-enumerable `cause`, never in the message shown to users.
 */
export function toProviderError(err: unknown, provider: string, context: string): OAuthRouterError {
  if (err instanceof OAuthRouterError) return err;
  if (err instanceof client.AuthorizationResponseError) {
    const code = err.error === 'access_denied' ? 'access_denied' : 'provider_error';
    return new OAuthRouterError(code, `${provider}: authorization response error ${quoteForLog(err.error)}`, {
      cause: err,
      provider,
    });
  }
  if (err instanceof client.ResponseBodyError) {
    return new OAuthRouterError(
      'provider_error',
      `${provider}: ${context}: provider answered ${quoteForLog(err.error)}`,
      {
        cause: err,
        provider,
        providerError: err.error,
      },
    );
  }
  if (err instanceof client.WWWAuthenticateChallengeError) {
    // A 401 with `WWW-Authenticate: Basic error="invalid_client"`: the OAuth error travels in the challenge.
    const code = err.cause.map((challenge) => challenge.parameters.error).find((e) => typeof e === 'string');
    return new OAuthRouterError(
      'provider_error',
      `${provider}: ${context}: provider answered ${quoteForLog(code ?? err.status)}`,
      {
        cause: err,
        provider,
        providerError: code,
      },
    );
  }
  if (err instanceof client.ClientError && /"state"/.test(err.message)) {
    return new OAuthRouterError('invalid_state', `${provider}: ${err.message}`, { cause: err, provider });
  }
  let message = err instanceof Error ? err.message : String(err);
  // openid-client's generic message hides which check failed; the wrapped one names it (e.g. the "nonce"
  // claim) without values. Values stay in the non-enumerable cause, out of logs.
  const inner = err instanceof client.ClientError ? err.cause : undefined;
  if (inner instanceof Error && inner.message !== message) message += `: ${inner.message}`;
  return new OAuthRouterError('provider_error', `${provider}: ${context}: ${message}`, {
    cause: err,
    provider,
  });
}

/** The fetch for a provider's calls: the app's `providerFetch` when set, else the keep-alive transport. */
export function transportOf(provider: ResolvedProvider): typeof fetch {
  return provider.fetch ?? providerFetch;
}
