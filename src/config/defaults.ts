/**
 * Every default of the options, in one place. The README's configuration table states them too, and
 * test/config.test.ts fails when the two disagree: change both together.
 */
export const DEFAULTS = {
  mountPath: '/auth',
  keyPrefix: 'oar:',
  /** How long `close()` waits for requests already in the router before disconnecting. */
  closeTimeoutMs: 10_000,
  session: {
    cookieName: 'oauth.sid',
    maxAgeSeconds: 30 * 24 * 60 * 60,
    /** Only used when `baseUrl` is missing (already an error): otherwise Secure follows baseUrl's scheme. */
    secure: true,
    sameSite: 'lax',
    recordIp: false,
  },
  /** Options of one provider; a preset's own value, when it has one, wins over these. */
  provider: {
    scopes: ['openid', 'email', 'profile'],
    authorizationParams: {},
    /** Login query parameters passed through: none unless the app allowlists them. */
    loginParams: [],
    responseMode: 'query',
    /** With a client secret; a public client (no secret) authenticates with `none`. */
    tokenEndpointAuthMethod: 'client_secret_basic',
    tokenRequestFormat: 'form',
    fetchUserInfo: true,
    mode: 'signin',
    revokeOnLogout: false,
    endSessionOnLogout: false,
    backchannelLogout: false,
  },
  /** Integration mode on a generic OIDC provider: refresh tokens need offline_access and consent (OIDC Core §11). */
  integrationScopes: ['openid', 'email', 'profile', 'offline_access'],
  /**
   * Provider traits that are not options: what a preset that does not mention one (or a provider without a
   * preset) gets, i.e. the behaviour of a standards-following provider.
   */
  preset: {
    pkce: true,
    scopeSeparator: ' ',
    tokenErrorsWithStatus200: false,
    idTokenSignature: 'jwks',
    loginParams: {},
  },
  accounts: { linkBy: 'verified-email', onEmailConflict: 'error' },
  refresh: { skewSeconds: 60, lockTtlSeconds: 15 },
  /**
   * Per client address and auth route kind. 300 a minute lets an office of a hundred people behind one NAT address
   * sign in at once, while one address can hold at most 300 × 5 = 1,500 pending logins in Redis.
   */
  rateLimit: { windowSeconds: 60, max: 300 },
  stateTtlSeconds: 300,
  allowedReturnToOrigins: [],
  bindingCookieName: 'oauth.flow',
  /** App sessions (bearer tokens for mobile apps and single-page apps), in seconds. */
  appCallbacks: {
    /** Longest, and default, life of an exchange code: it only has to survive the app's hop from its callback. */
    exchangeCodeTtlSeconds: 60,
    accessTokenTtlSeconds: 15 * 60,
    /** Idle limit: a session whose refresh token goes unused this long ends. */
    refreshTokenTtlSeconds: 30 * 24 * 60 * 60,
    /** Absolute limit: a session ends this long after sign-in, however often it refreshes. */
    sessionLifetimeSeconds: 30 * 24 * 60 * 60,
    corsOrigins: [],
  },
} as const;

/** The bounds the options are checked against; error messages quote them. */
export const LIMITS = {
  /** Longest pending-login lifetime we accept: a state that lives longer widens the window for a stolen one. */
  maxStateTtlSeconds: 600,
  /** Shortest session secret; express-session signs with HMAC-SHA256, so less than 32 characters is guessable. */
  minSecretLength: 32,
  minSessionMaxAgeSeconds: 60,
  maxRefreshSkewSeconds: 3600,
  maxRefreshLockTtlSeconds: 300,
  maxRateLimitWindowSeconds: 3600,
  /** Longest accepted lifetime of each app-session credential, in seconds. */
  appCallbacks: {
    exchangeCodeTtlSeconds: 60,
    accessTokenTtlSeconds: 24 * 60 * 60,
    refreshTokenTtlSeconds: 365 * 24 * 60 * 60,
    sessionLifetimeSeconds: 365 * 24 * 60 * 60,
  },
} as const;

/** Authorization parameters the library sets itself; `authorizationParams` may not override them. */
export const RESERVED_AUTHORIZATION_PARAMS = new Set([
  'client_id',
  'redirect_uri',
  'response_type',
  'response_mode',
  'scope',
  'state',
  'nonce',
  'code_challenge',
  'code_challenge_method',
]);
