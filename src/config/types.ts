import type { Store as SessionStore } from 'express-session';
import type { KvStore } from '../adapters/kv-store.js';
import type { RedisClient } from '../adapters/redis-client.js';
import type { MappedProfile, PresetOptions, Profile, ProviderGet } from '../providers/types.js';
import type { TokenRepository } from '../tokens/types.js';
import type { OAuthUser, UserRepository } from '../users/types.js';
import type { ClientAssertionKey } from './client-assertion-key.js';

/** How the client authenticates at the provider's token endpoint. */
export type TokenEndpointAuthMethod =
  | 'client_secret_basic'
  | 'client_secret_post'
  | 'private_key_jwt'
  | 'none';

/**
 * One provider: a built-in preset (by its name as the key, or `preset`), any OpenID Connect provider by `issuer`,
 * or any plain OAuth 2.0 provider by `authorizationUrl`, `tokenUrl`, `userinfoUrl` and `profile`.
 */
export interface ProviderOptions extends PresetOptions {
  /** Use this built-in preset under another key (e.g. two Google apps: `'google-work': { preset: 'google', … }`). */
  preset?: string;
  /**
   * The OpenID Connect issuer URL; discovery reads `<issuer>/.well-known/openid-configuration`. Presets set it;
   * override it for self-hosted instances. Must be https, except on loopback (localhost, 127.0.0.1, ::1).
   */
  issuer?: string;
  /** Plain OAuth 2.0: the authorization endpoint. */
  authorizationUrl?: string;
  /** Plain OAuth 2.0: the token endpoint. */
  tokenUrl?: string;
  /**
   * Plain OAuth 2.0: where the profile is read with the access token. Optional with `mode: 'integration'`: a
   * provider without one (many SaaS APIs) signs nobody in; its login only connects the API to the signed-in user
   * (nobody signed in: `unauthenticated`), and needs no `profile`.
   */
  userinfoUrl?: string;
  /** Plain OAuth 2.0: the RFC 7009 revocation endpoint, if any. */
  revocationUrl?: string;
  /**
   * Maps the provider's profile answer (plain OAuth 2.0) or claims (OIDC) to the normalised profile. Required for a
   * plain OAuth 2.0 provider with a `userinfoUrl`; not used by one without (integration only).
   */
  profile?: (raw: Record<string, unknown>) => MappedProfile;
  /** Body encoding of token requests: `form` (RFC 6749) or `json` for providers that want it. Default: the preset's, or form. */
  tokenRequestFormat?: 'form' | 'json';
  /** The OAuth client ID registered with the provider. */
  clientId: string;
  /** The client secret. Omit for a public client (PKCE alone). */
  clientSecret?: string;
  /** Scopes to request. Default `['openid', 'email', 'profile']`. */
  scopes?: string[];
  /** Extra authorization request parameters (e.g. `{ prompt: 'select_account' }`). Protocol parameters cannot be overridden. */
  authorizationParams?: Record<string, string>;
  /**
   * Standard OpenID Connect parameters a login may pass through from its query string
   * (`/auth/<name>/login?login_hint=ada@example.com&prompt=select_account`): any of `prompt`, `login_hint`,
   * `max_age`, `ui_locales`, `acr_values`, `display`. Each value is checked against the parameter's syntax
   * (`invalid_request` otherwise). Default: none.
   */
  loginParams?: string[];
  /**
   * `form_post` makes the provider POST the callback. The browser binding cookie then uses
   * SameSite=None, because a cross-site POST carries no SameSite=Lax cookie.
   */
  responseMode?: 'query' | 'form_post';
  /**
   * Token endpoint client authentication. Default `client_secret_basic` with a secret, `none` without.
   * `private_key_jwt` (RFC 7523) signs a client assertion with `clientAssertionKey` for every request to the
   * provider's back channel (token, PAR, revocation, client credentials).
   */
  tokenEndpointAuthMethod?: TokenEndpointAuthMethod;
  /**
   * The private key of `private_key_jwt`: a PKCS#8 PEM string or a private JWK (its `kid` is sent; its `alg`, if
   * any, is used). Register the public key with the provider. RSA (RS256 unless the JWK says PS256…), P-256/384/521
   * (ES256/384/512) or Ed25519 (EdDSA). Checked at startup; never logged.
   */
  clientAssertionKey?: string | Record<string, unknown>;
  /** Read the UserInfo endpoint after the code exchange to complete the profile. Default true. */
  fetchUserInfo?: boolean;
  /**
   * Send authorization requests by Pushed Authorization Requests (RFC 9126): the parameters go to the provider
   * over an authenticated back channel, and the browser carries only `client_id` and a one-time `request_uri`.
   * Default: when the provider's discovery document requires it (`require_pushed_authorization_requests`).
   * OpenID providers only.
   */
  pushedAuthorizationRequests?: boolean;
  /**
   * Accept OpenID Connect Back-Channel Logout 1.0 at `POST <mountPath>/<name>/backchannel-logout` (register that
   * URL with the provider as the back-channel logout URI; `doctor` prints it). A valid logout token ends every
   * session of ours (browser and app) that came from that provider session (`sid`), or from that provider user
   * (`sub`), on every instance; stored provider tokens stay. Default false. OpenID providers only.
   */
  backchannelLogout?: boolean;
  /** Name to show on a sign-in button. Default: the provider key. */
  displayName?: string;
  /**
   * `signin` (default) keeps only the profile. `integration` also keeps the access and refresh tokens, sealed in
   * the token repository, for `req.oauth.fetch()`; it needs `tokenEncryption`, and for a generic OIDC provider
   * it asks for `offline_access` with `prompt=consent` (OpenID Connect Core §11) unless you set scopes/prompt.
   * Default: `integration` when `scopes` include `offline_access`, else `signin`.
   */
  mode?: 'signin' | 'integration';
  /** Whether `POST /auth/<provider>/logout` revokes (RFC 7009) and deletes the stored tokens by default. Default false. */
  revokeOnLogout?: boolean;
  /**
   * Also end the user's session at an OpenID provider on logout (RP-Initiated Logout 1.0), when it advertises an
   * `end_session_endpoint`: logout then redirects there, and the provider sends the browser back to
   * `logoutRedirect` (register that URL as a post-logout redirect URI). Default false.
   */
  endSessionOnLogout?: boolean;
}

/** Keys that seal stored tokens (AES-256-GCM). */
export interface TokenEncryptionOptions {
  /** Keys by id, each 32 random bytes in base64 (`openssl rand -base64 32`). Keep old keys to read old records. */
  keys: Record<string, string>;
  /** The id of the key new records are sealed with. */
  current: string;
}

/** Timing of token refresh. */
export interface RefreshOptions {
  /** Refresh this many seconds before the access token expires. Default 60. */
  skewSeconds?: number;
  /** Longest a refresh may hold the cross-instance lock; a crashed holder delays others at most this long. Default 15. */
  lockTtlSeconds?: number;
}

/** Session cookie and store settings. */
export interface SessionOptions {
  /**
   * Secret(s) that sign the session cookie. The first signs; all verify, so prepend a new secret to
   * rotate. Each must be at least 32 characters.
   */
  secret: string | string[];
  /**
   * Cookie name. Default `oauth.sid`. With Secure cookies it is sent with the `__Host-` prefix
   * (`__Host-oauth.sid`, or `__Host-<your name>`), which stops a sibling subdomain from planting it.
   */
  cookieName?: string;
  /** Session lifetime in seconds. Default 30 days. */
  maxAgeSeconds?: number;
  /**
   * Secure cookie flag (and the `__Host-` cookie prefix). Default: follows `baseUrl`, true for https and false
   * for an http loopback `baseUrl` (local development). `true` with an http `baseUrl` is a startup error, since
   * browsers never get a Secure cookie there; `false` is allowed only for an http loopback `baseUrl`.
   * Behind a TLS-terminating proxy, set `app.set('trust proxy', …)` so Express sees https.
   */
  secure?: boolean;
  /** SameSite of the session cookie. Default `lax` (the callback is a top-level navigation from the provider). */
  sameSite?: 'lax' | 'strict';
  /** A custom express-session store. Default: connect-redis on `redis`, or a memory store without it. */
  store?: SessionStore;
  /**
   * Keep the client address with each session in the user's session list (`router.users.sessions()`), as
   * Express reports it (`req.ip`: set `trust proxy` behind a proxy). Default false: an address is personal data,
   * so collect it only when you tell users you do.
   */
  recordIp?: boolean;
}

/** Minimal logger; by default warnings and errors go to the console, without secrets or stacks. */
export interface Logger {
  /**
   * Detail for debugging a deployment (each refresh). Optional: without it (and with the default console logger)
   * nothing is written, so a working app stays quiet.
   */
  debug?(message: string, details?: Record<string, unknown>): void;
  /** What happened, when it went well (a sign-in, a logout). Optional, and quiet by default like `debug`. */
  info?(message: string, details?: Record<string, unknown>): void;
  /** Something is unsafe or degraded but the request can go on. */
  warn(message: string, details?: Record<string, unknown>): void;
  /** A request failed on our side or the provider's. */
  error(message: string, details?: Record<string, unknown>): void;
}

/** Options of {@link oauthRouter}. Every field is documented with its default in the README's configuration table. */
export interface OAuthRouterOptions {
  /**
   * Public origin (and optional path prefix) of the app, e.g. `https://app.example.com`. Redirect URIs are
   * `baseUrl + mountPath + '/<provider>/callback'`, whatever Host header a request carries.
   */
  baseUrl: string;
  /** Where the auth routes are mounted. Default `/auth`. */
  mountPath?: string;
  /**
   * Redis for flow state, sessions and users: a `redis://` URL or an ioredis client (which stays yours to close).
   * Omitted: in-memory stores, for development only (an error under NODE_ENV=production).
   */
  redis?: string | RedisClient;
  /** Prefix of every Redis key this library writes. Default `oar:`. */
  keyPrefix?: string;
  /** Session settings; `secret` is required. */
  session: SessionOptions;
  /** The providers, by the name used in the routes (`/auth/<name>/login`). */
  providers: Record<string, ProviderOptions>;
  /** Where to go after sign-in when the login carried no `returnTo`. Omitted: the callback answers JSON `{ user }`. */
  successRedirect?: string;
  /** Where to send the browser on a flow error, with `?error=<code>`. Omitted: the callback answers JSON. */
  failureRedirect?: string;
  /** Where to go after logout. Omitted: logout answers 204. */
  logoutRedirect?: string;
  /** Where `requireAuth()` sends browsers. Default: the login route of the first provider. */
  signInPath?: string;
  /** Absolute origins (e.g. `https://admin.example.com`) that `returnTo` may point at besides `baseUrl`'s. */
  allowedReturnToOrigins?: string[];
  /** Lifetime of a pending login (state, PKCE verifier, nonce) in seconds. Default 300. */
  stateTtlSeconds?: number;
  /** Key-value store for flow state. Default: Redis from `redis`, or in-memory. */
  kvStore?: KvStore;
  /** User repository. Default: Redis from `redis`, or in-memory. */
  userRepository?: UserRepository;
  /** Logger. Default: console. */
  logger?: Logger;
  /** Keys that seal stored tokens. Required when a provider uses `mode: 'integration'` or for client credentials. */
  tokenEncryption?: TokenEncryptionOptions;
  /** Where connections (sealed tokens) live. Default: Redis from `redis`, or in-memory. */
  tokenRepository?: TokenRepository;
  /** Refresh timing. */
  refresh?: RefreshOptions;
  /** How sign-ins from several providers become one user. */
  accounts?: AccountOptions;
  /** The app's say in a sign-in: veto or enrich it, or map it to the app's own users table. */
  hooks?: HookOptions;
  /**
   * Requests per client IP to each kind of auth route (login, callback, logout) within a window; in Redis when
   * `redis` is set, so it holds across instances. Default `{ windowSeconds: 60, max: 300 }` (an office of a hundred behind one address can sign in at once); `false` turns it off.
   */
  rateLimit?: RateLimitOptions | false;
  /**
   * Sign-in for apps that cannot hold a cookie (mobile deep links, single-page apps on another origin): the login
   * route accepts `redirectUrl` (checked against `allowedRedirects`), the app receives a one-time exchange code
   * there, and trades it at `POST <mountPath>/session` for bearer session tokens. Tokens never travel in URLs.
   */
  appCallbacks?: AppCallbackOptions;
  /**
   * How the router reaches providers (discovery, token, UserInfo, revocation requests through openid-client).
   * Default: a keep-alive node:http transport, cheaper per call than Node's fetch, which it defers to for any
   * request it does not handle and once the app replaces undici's global dispatcher. Pass `fetch` (or undici's
   * `fetch` bound to a `ProxyAgent`) when providers are reached through a dispatcher installed before this
   * library loads.
   */
  providerFetch?: typeof fetch;
}

/** Options of app callbacks and bearer sessions. */
export interface AppCallbackOptions {
  /**
   * The exact callback URLs of your apps, custom schemes included (`myapp://auth/callback`,
   * `https://spa.example.com/auth/callback`). A login's `redirectUrl` must equal one of them character for
   * character (RFC 9700 §4.1.3); a bare origin is refused at startup. The origins of the http(s) entries may call
   * the session routes cross-origin (CORS).
   *
   * Security: the exchange code lands on that page in its URL. The page must not load third-party scripts or
   * analytics, redirect elsewhere, or send a `Referer` before it has removed the code from its URL (see the
   * README's "Clients without cookies").
   */
  allowedRedirects: string[];
  /**
   * More origins (`https://admin.example.com`) whose pages may call `POST <mountPath>/session` and
   * `/session/refresh` cross-origin, besides those of `allowedRedirects`. CORS only: they never receive a code.
   * Default none.
   */
  corsOrigins?: string[];
  /** Lifetime of an exchange code, at most 60 s. Default 60. */
  exchangeCodeTtlSeconds?: number;
  /** Lifetime of a session access token. Default 900 (15 minutes). */
  accessTokenTtlSeconds?: number;
  /** Lifetime of a session refresh token (and of an idle session). Default 30 days. */
  refreshTokenTtlSeconds?: number;
  /**
   * Absolute lifetime of an app session, counted from the code exchange: refreshing never extends it, and access
   * and refresh tokens never outlive it. The app signs the user in again afterwards. Default 30 days.
   *
   * Security: without an absolute limit, a stolen refresh token that is used more often than
   * `refreshTokenTtlSeconds` would be good forever.
   */
  sessionLifetimeSeconds?: number;
}

/** Rate limit of the auth routes. */
export interface RateLimitOptions {
  /** Window length in seconds. Default 60. */
  windowSeconds?: number;
  /** Requests allowed per client IP and route kind in a window. Default 300. */
  max?: number;
}

/**
 * A sign-in about to complete, as `hooks.onSignIn` sees it: the provider has authenticated the person, and
 * nothing has been written yet (no user, link, tokens or session).
 */
export interface SignInAttempt {
  /** The provider's key under `providers`. */
  provider: string;
  /** The normalised profile the provider gave. */
  profile: Profile;
  /** The scopes the provider granted. */
  grantedScopes: string[];
  /**
   * True when this sign-in will create a user, false when it resolves to an existing one; null when
   * `hooks.findOrCreateUser` decides that.
   */
  isNewUser: boolean | null;
  /** The existing user it resolves to (null for a new user, or with `hooks.findOrCreateUser`). */
  user: OAuthUser | null;
  /** True when the provider account is about to be linked to an existing user (explicitly, or by verified email). */
  linking: boolean;
}

/**
 * What `hooks.onSignIn` answers: nothing to let the sign-in proceed; `{ deny: message }` to refuse it with
 * `sign_in_denied` (the message is shown to the user as is: say what they can do); `{ data }` to keep JSON data
 * with the signed-in user for this session (`req.user.data`), not in the user repository.
 */
export type SignInVerdict = undefined | { deny: string } | { data: Record<string, unknown> };

/** A user as the app's own table holds it: `id` is required, the rest is filled from the profile when missing. */
export type AppUser = Pick<OAuthUser, 'id'> & Partial<Omit<OAuthUser, 'id' | 'data'>>;

/** The app's hooks into a sign-in. */
export interface HookOptions {
  /**
   * Called once the provider has authenticated the person, before anything is written. Deny (e.g. only
   * `@acme.com` addresses), or return data to keep on the session's user. A deny leaves nothing behind: no user,
   * no link, no tokens, no session. An exception fails the sign-in with `internal_error`.
   * @example
   * ```ts
   * onSignIn: ({ profile }) =>
   *   profile.emailVerified && profile.email?.endsWith('@acme.com') ? undefined : { deny: 'Use your acme.com account.' },
   * ```
   */
  onSignIn?: (attempt: SignInAttempt) => SignInVerdict | Promise<SignInVerdict>;
  /**
   * Makes the app's own users table the source of truth instead of a user repository: called with the
   * profile of every completed sign-in, it returns the app's user (finding or creating it; linking accounts is
   * then the app's to decide). While someone is signed in, it gets their id as `currentUserId` and must return
   * that same user (anything else is refused with `account_mismatch`). Throwing `SignInDeniedError` denies.
   * @example
   * ```ts
   * findOrCreateUser: async (profile) => {
   *   const { rows } = await pool.query(
   *     `INSERT INTO app_users (provider, provider_account_id, email, name) VALUES ($1, $2, $3, $4)
   *      ON CONFLICT (provider, provider_account_id) DO UPDATE SET email = EXCLUDED.email
   *      RETURNING id::text, email, name`,
   *     [profile.provider, profile.providerAccountId, profile.email, profile.name],
   *   );
   *   return rows[0];
   * },
   * ```
   */
  findOrCreateUser?: (
    profile: Profile,
    context: { currentUserId: string | undefined },
  ) => AppUser | Promise<AppUser>;
  /**
   * Allows app-level connections: a signed-in user for whom this returns `true` may connect a provider in
   * integration mode for the whole app at `GET <mountPath>/<provider>/login?connect=app` (its tokens then serve
   * `router.forApp()`, replacing the app's previous connection to that provider). Asked at the login and again at
   * the callback. Without it, `connect=app` is refused with `sign_in_denied`.
   *
   * Security: the app's connection acts for everyone; allow only your admins.
   * @example
   * ```ts
   * allowAppConnection: ({ user }) => user.email === 'ops@acme.example' && user.emailVerified,
   * ```
   */
  allowAppConnection?: (attempt: { user: OAuthUser; provider: string }) => boolean | Promise<boolean>;
}

/** Account linking policy. */
export interface AccountOptions {
  /**
   * `verified-email` (default): a sign-in whose provider *verifies* the email lands in the user with that
   * verified email. `none`: one user per provider account; emails never link.
   * Explicit linking (a signed-in user connecting another provider) works with both.
   */
  linkBy?: 'verified-email' | 'none';
  /**
   * With `verified-email`: what to do when a sign-in brings an *unverified* email that an existing user holds as
   * verified. `error` (default) fails with `email_conflict`; `create` makes a separate user. Never links.
   */
  onEmailConflict?: 'error' | 'create';
}

/**
 * A provider after validation: an OpenID Connect provider (found by discovery) or a plain OAuth 2.0 provider
 * (fixed endpoints), told apart by `kind` so that code reading the issuer or the endpoints needs no cast.
 */
export type ResolvedProvider = ResolvedOidcProvider | ResolvedOAuth2Provider;

/** An OpenID Connect provider: discovery, id_token, nonce. */
export interface ResolvedOidcProvider extends ResolvedProviderBase {
  kind: 'oidc';
  /** The issuer; discovery reads its `/.well-known/openid-configuration`. */
  issuer: URL;
}

/** A plain OAuth 2.0 provider: fixed endpoints, the profile read from `userinfoUrl` (when it signs people in). */
export interface ResolvedOAuth2Provider extends ResolvedProviderBase {
  kind: 'oauth2';
  /** The configured endpoints (there is no discovery); no `userinfoUrl` when the provider only connects an API. */
  endpoints: {
    authorizationUrl: URL;
    tokenUrl: URL;
    userinfoUrl: URL | undefined;
    revocationUrl: URL | undefined;
  };
}

/** What every resolved provider has, whatever its kind. */
export interface ResolvedProviderBase {
  /** The key under `providers`. */
  name: string;
  /** Whether to send a PKCE challenge (every provider that supports it). */
  pkce: boolean;
  /** Separator of the scope parameter. */
  scopeSeparator: string;
  /** The token endpoint reports errors with HTTP 200 (GitHub). */
  tokenErrorsWithStatus200: boolean;
  /** Body encoding of token requests (Fluxer wants JSON). */
  tokenRequestFormat: 'form' | 'json';
  /** How the provider signs id_tokens: with a key of its JWK Set, or HMAC with the client secret (LINE). */
  idTokenSignature: 'jwks' | 'client_secret';
  /** Login query parameters passed through to the authorization request, with their patterns. */
  loginParams: Record<string, RegExp>;
  /**
   * `prompt=consent` is there only to obtain a refresh token (set by the library or the preset, not the app):
   * a login by a signed-in user who already holds one leaves it out.
   */
  consentForRefreshToken: boolean;
  /** Back-Channel Logout is accepted for this provider. */
  backchannelLogout: boolean;
  /** PAR as configured; undefined: as the provider's discovery document requires. */
  pushedAuthorizationRequests: boolean | undefined;
  /** Why the provider may send no refresh token, and the fix (the preset's), for the log. */
  refreshTokenHint: string | undefined;
  /** The provider sends a refresh token when a user consents, and only then (Google): see `ConsentPlan`. */
  refreshTokenOnFirstConsent: boolean;
  /** Maps claims (OIDC) or the profile answer (OAuth 2.0) to the normalised profile. */
  mapProfile: (raw: Record<string, unknown>) => MappedProfile;
  /** Completes a short profile with more API calls (GitHub's emails). */
  fetchProfile:
    | ((
        raw: Record<string, unknown>,
        get: ProviderGet,
        userinfoUrl: string,
      ) => Promise<Record<string, unknown>>)
    | undefined;
  /** Computes the client secret per token request (Apple). */
  clientSecretFactory: (() => Promise<string>) | undefined;
  /** The key of `private_key_jwt` client authentication. */
  clientAssertionKey: ClientAssertionKey | undefined;
  /** RP-Initiated Logout on logout. */
  endSessionOnLogout: boolean;
  /** The preset this provider is built from, if any. */
  preset: string | undefined;
  clientId: string;
  clientSecret: string | undefined;
  scopes: string[];
  authorizationParams: Record<string, string>;
  responseMode: 'query' | 'form_post';
  tokenEndpointAuthMethod: TokenEndpointAuthMethod;
  /**
   * Neither the app nor the preset chose the client authentication: discovery's
   * `token_endpoint_auth_methods_supported` decides between Basic (the default) and `client_secret_post`.
   */
  authMethodFromDiscovery: boolean;
  fetchUserInfo: boolean;
  displayName: string;
  mode: 'signin' | 'integration';
  /**
   * Signs nobody in: an integration-only plain OAuth 2.0 provider without a profile endpoint, whose login connects
   * the API to the user signed in when it started.
   */
  connectOnly: boolean;
  revokeOnLogout: boolean;
  /** Absolute callback URL registered at the provider. */
  redirectUri: string;
  /** Whether plain-http requests are allowed (loopback issuers only). */
  allowInsecureRequests: boolean;
  /** The app's `providerFetch`, if set; otherwise the client door picks its keep-alive transport. */
  fetch: typeof fetch | undefined;
}

/** A set of AES-256 keys by id, parsed from `tokenEncryption`; `current` seals, all open. */
export interface Keyring {
  current: string;
  keys: ReadonlyMap<string, Buffer>;
}

/** The configuration after validation and defaults; what the rest of the library reads. */
export interface ResolvedConfig {
  baseUrl: URL;
  mountPath: string;
  redis: string | RedisClient | undefined;
  keyPrefix: string;
  session: {
    secrets: string[];
    cookieName: string;
    maxAgeSeconds: number;
    secure: boolean;
    sameSite: 'lax' | 'strict';
    store: SessionStore | undefined;
    recordIp: boolean;
  };
  providers: Map<string, ResolvedProvider>;
  successRedirect: string | undefined;
  failureRedirect: string | undefined;
  logoutRedirect: string | undefined;
  signInPath: string;
  allowedReturnToOrigins: Set<string>;
  stateTtlSeconds: number;
  kvStore: KvStore | undefined;
  userRepository: UserRepository | undefined;
  /** The app's logger (or the console) behind the escaping layer; `debug` and `info` may go nowhere. */
  logger: Required<Logger>;
  accounts: { linkBy: 'verified-email' | 'none'; onEmailConflict: 'error' | 'create' };
  hooks: HookOptions;
  rateLimit: { windowSeconds: number; max: number } | false;
  appCallbacks:
    | {
        allowedRedirects: string[];
        exchangeCode: number;
        accessToken: number;
        refreshToken: number;
        sessionLifetime: number;
        corsOrigins: Set<string>;
      }
    | undefined;
  keyring: Keyring | undefined;
  tokenRepository: TokenRepository | undefined;
  refresh: { skewSeconds: number; lockTtlMs: number };
  /** Name and SameSite of the cookie that binds a pending login to the browser that started it. */
  bindingCookie: { name: string; sameSite: 'lax' | 'none' };
  production: boolean;
}
