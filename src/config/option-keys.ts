import type {
  AccountOptions,
  AppCallbackOptions,
  HookOptions,
  OAuthRouterOptions,
  ProviderOptions,
  RateLimitOptions,
  RefreshOptions,
  SessionOptions,
  TokenEncryptionOptions,
} from './types.js';

/**
 * The option names of an options interface as a set, written as a record the compiler checks against the
 * interface: a name added to the interface but not here, or listed here but not in the interface, fails the
 * type check instead of becoming an option that is silently rejected (or accepted) as a typo. The record's order
 * is the order an unknown-key error lists them in.
 *
 * @param names - Every key of `T`, each set to `true`.
 * @returns The names, in the record's order.
 * @example
 * ```ts
 * const SESSION = optionKeys<SessionOptions>({ secret: true, cookieName: true, … });
 * ```
 */
export function optionKeys<T extends object>(names: Record<keyof T, true>): ReadonlySet<string> {
  return new Set(Object.keys(names));
}

/** Top-level options of `oauthRouter()`. */
export const TOP_LEVEL_KEYS = optionKeys<OAuthRouterOptions>({
  baseUrl: true,
  mountPath: true,
  redis: true,
  keyPrefix: true,
  session: true,
  providers: true,
  successRedirect: true,
  failureRedirect: true,
  logoutRedirect: true,
  signInPath: true,
  allowedReturnToOrigins: true,
  stateTtlSeconds: true,
  kvStore: true,
  userRepository: true,
  logger: true,
  tokenEncryption: true,
  tokenRepository: true,
  refresh: true,
  accounts: true,
  hooks: true,
  rateLimit: true,
  appCallbacks: true,
  providerFetch: true,
});

/** Options of `session`. */
export const SESSION_KEYS = optionKeys<SessionOptions>({
  secret: true,
  cookieName: true,
  maxAgeSeconds: true,
  secure: true,
  sameSite: true,
  store: true,
  recordIp: true,
});

/** Options of one entry of `providers`, the preset-specific ones included. */
export const PROVIDER_KEYS = optionKeys<ProviderOptions>({
  preset: true,
  authorizationUrl: true,
  tokenUrl: true,
  userinfoUrl: true,
  revocationUrl: true,
  profile: true,
  tenant: true,
  teamId: true,
  keyId: true,
  privateKey: true,
  endSessionOnLogout: true,
  tokenRequestFormat: true,
  issuer: true,
  clientId: true,
  clientSecret: true,
  scopes: true,
  authorizationParams: true,
  loginParams: true,
  responseMode: true,
  tokenEndpointAuthMethod: true,
  clientAssertionKey: true,
  fetchUserInfo: true,
  pushedAuthorizationRequests: true,
  backchannelLogout: true,
  displayName: true,
  mode: true,
  revokeOnLogout: true,
});

/** Options of `appCallbacks`. */
export const APP_CALLBACK_KEYS = optionKeys<AppCallbackOptions>({
  allowedRedirects: true,
  exchangeCodeTtlSeconds: true,
  accessTokenTtlSeconds: true,
  refreshTokenTtlSeconds: true,
  sessionLifetimeSeconds: true,
  corsOrigins: true,
});

/** Options of `rateLimit` (when it is not `false`). */
export const RATE_LIMIT_KEYS = optionKeys<RateLimitOptions>({ windowSeconds: true, max: true });

/** Options of `refresh`. */
export const REFRESH_KEYS = optionKeys<RefreshOptions>({ skewSeconds: true, lockTtlSeconds: true });

/** Options of `accounts`. */
export const ACCOUNT_KEYS = optionKeys<AccountOptions>({ linkBy: true, onEmailConflict: true });

/** Options of `hooks`. */
export const HOOK_KEYS = optionKeys<HookOptions>({
  onSignIn: true,
  findOrCreateUser: true,
  allowAppConnection: true,
});

/** Options of `tokenEncryption`. */
export const TOKEN_ENCRYPTION_KEYS = optionKeys<TokenEncryptionOptions>({ keys: true, current: true });

/**
 * The top-level options whose value is an options object, with that object's names: the README's table lists
 * them as `session.secret`, and a provider's as `providers.<name>.clientId`.
 */
export const NESTED_OPTION_KEYS = {
  session: SESSION_KEYS,
  providers: PROVIDER_KEYS,
  appCallbacks: APP_CALLBACK_KEYS,
  rateLimit: RATE_LIMIT_KEYS,
  refresh: REFRESH_KEYS,
  accounts: ACCOUNT_KEYS,
  hooks: HOOK_KEYS,
  tokenEncryption: TOKEN_ENCRYPTION_KEYS,
} as const satisfies Partial<Record<keyof OAuthRouterOptions, ReadonlySet<string>>>;
