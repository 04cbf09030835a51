/**
 * Every default in one place. The README's configuration table is written from this file: change both together.
 */
export const DEFAULTS = {
  mountPath: '/auth',
  keyPrefix: 'oar:',
  session: {
    cookieName: 'oauth.sid',
    maxAgeSeconds: 30 * 24 * 60 * 60,
    secure: true,
    sameSite: 'lax',
  },
  provider: {
    scopes: ['openid', 'email', 'profile'],
    responseMode: 'query',
    fetchUserInfo: true,
  },
  /** Integration mode on a generic OIDC provider: refresh tokens need offline_access and consent (OIDC Core §11). */
  integrationScopes: ['openid', 'email', 'profile', 'offline_access'],
  refresh: { skewSeconds: 60, lockTtlSeconds: 15 },
  /**
   * Per client address and auth route kind. 300 a minute lets an office of a hundred people behind one NAT address
   * sign in at once, while one address can hold at most 300 × 5 = 1,500 pending logins (about 0.5 MB) in Redis.
   */
  rateLimit: { windowSeconds: 60, max: 300 },
  stateTtlSeconds: 300,
  /** Longest pending-login lifetime we accept: a state that lives longer widens the window for a stolen one. */
  maxStateTtlSeconds: 600,
  /** Shortest session secret; express-session signs with HMAC-SHA256, so less than 32 characters is guessable. */
  minSecretLength: 32,
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
