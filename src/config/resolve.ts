import type { KvStore } from '../adapters/kv-store.js';
import { ConfigError } from '../errors.js';
import { unsafeAppCallback } from '../flow/app-redirect.js';
import { escapeControlCharacters, escapeLogDetails } from '../internal/log-text.js';
import { standardClaimsProfile } from '../providers/claims.js';
import { findPreset, PRESETS } from '../providers/index.js';
import { parseKeyring } from '../tokens/sealing.js';
import { DEFAULTS, RESERVED_AUTHORIZATION_PARAMS } from './defaults.js';
import type {
  Logger,
  OAuthRouterOptions,
  ProviderOptions,
  ResolvedConfig,
  ResolvedOAuth2Provider,
  ResolvedProvider,
  ResolvedProviderBase,
  TokenEndpointAuthMethod,
} from './types.js';

const TOP_LEVEL_KEYS = new Set<keyof OAuthRouterOptions>([
  'baseUrl',
  'mountPath',
  'redis',
  'keyPrefix',
  'session',
  'providers',
  'successRedirect',
  'failureRedirect',
  'logoutRedirect',
  'signInPath',
  'allowedReturnToOrigins',
  'stateTtlSeconds',
  'kvStore',
  'userRepository',
  'logger',
  'tokenEncryption',
  'tokenRepository',
  'refresh',
  'accounts',
  'rateLimit',
  'appCallbacks',
  'providerFetch',
]);
const SESSION_KEYS = new Set(['secret', 'cookieName', 'maxAgeSeconds', 'secure', 'sameSite', 'store']);
const PROVIDER_KEYS = new Set<keyof ProviderOptions>([
  'preset',
  'authorizationUrl',
  'tokenUrl',
  'userinfoUrl',
  'revocationUrl',
  'profile',
  'tenant',
  'teamId',
  'keyId',
  'privateKey',
  'endSessionOnLogout',
  'tokenRequestFormat',
  'issuer',
  'clientId',
  'clientSecret',
  'scopes',
  'authorizationParams',
  'responseMode',
  'tokenEndpointAuthMethod',
  'fetchUserInfo',
  'displayName',
  'mode',
  'revokeOnLogout',
]);
const PROVIDER_NAME = /^[a-z0-9][a-z0-9_-]{0,63}$/;
const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/** Whether a URL points at this machine; plain http is tolerated only there. */
export function isLoopback(url: URL): boolean {
  return LOOPBACK_HOSTS.has(url.hostname) || url.hostname.endsWith('.localhost');
}

/**
 * Validates options once at startup and fills every default from `defaults.ts`.
 * Reports every problem in one {@link ConfigError}, each naming the full path of the field and the fix.
 *
 * @param input - What the application passed to `oauthRouter()`.
 * @param env - The environment to read `NODE_ENV` from; only this module reads `process.env`.
 * @returns The resolved configuration.
 * @throws ConfigError listing every problem.
 */
export function resolveConfig(
  input: OAuthRouterOptions,
  env: NodeJS.ProcessEnv = process.env,
): ResolvedConfig {
  const problems: string[] = [];
  const warnings: string[] = [];
  const production = env.NODE_ENV === 'production';
  if (typeof input !== 'object' || input === null) {
    throw new ConfigError(['options: expected an object: call oauthRouter({ baseUrl, session, providers })']);
  }
  rejectUnknownKeys(input, TOP_LEVEL_KEYS, '', problems);

  const baseUrl = parseBaseUrl(input.baseUrl, problems);
  const mountPath = parsePath(input.mountPath ?? DEFAULTS.mountPath, 'mountPath', problems);
  const insecureAllowed = baseUrl !== undefined && baseUrl.protocol === 'http:' && isLoopback(baseUrl);

  const session = resolveSession(input, baseUrl, insecureAllowed, production, problems);
  const providers = new Map<string, ResolvedProvider>();
  let transport: typeof fetch | undefined;
  if (input.providerFetch !== undefined) {
    if (typeof input.providerFetch === 'function') transport = input.providerFetch;
    else problems.push('providerFetch must be a fetch-compatible function, e.g. providerFetch: fetch');
  }
  if (typeof input.providers !== 'object' || input.providers === null || Array.isArray(input.providers)) {
    problems.push(
      'providers is required: set it to an object such as { google: { clientId, clientSecret } }',
    );
  } else {
    const entries = Object.entries(input.providers);
    if (entries.length === 0) problems.push('providers is empty: configure at least one provider');
    for (const [name, options] of entries) {
      const resolved = resolveProvider(name, options, baseUrl, mountPath, transport, problems);
      if (resolved) providers.set(name, resolved);
    }
  }

  if (input.redis === undefined && (input.kvStore === undefined || input.userRepository === undefined)) {
    if (production) {
      problems.push(
        'redis is required in production: set it to a redis:// URL or an ioredis client (in-memory stores lose every login on restart and do not work across instances)',
      );
    } else {
      warnings.push('redis is not set: using in-memory stores (development only; they are lost on restart)');
    }
  } else if (
    input.redis !== undefined &&
    typeof input.redis === 'string' &&
    !/^rediss?:\/\//.test(input.redis)
  ) {
    problems.push('redis must be a redis:// or rediss:// URL or an ioredis client');
  }

  const stateTtlSeconds = input.stateTtlSeconds ?? DEFAULTS.stateTtlSeconds;
  if (
    !Number.isInteger(stateTtlSeconds) ||
    stateTtlSeconds < 1 ||
    stateTtlSeconds > DEFAULTS.maxStateTtlSeconds
  ) {
    problems.push(
      `stateTtlSeconds must be a whole number from 1 to ${DEFAULTS.maxStateTtlSeconds}: default is 300`,
    );
  }

  const allowedReturnToOrigins = new Set<string>();
  for (const [i, origin] of (input.allowedReturnToOrigins ?? []).entries()) {
    const url = tryUrl(origin);
    if (!url || url.origin !== origin || !/^https?:$/.test(url.protocol)) {
      problems.push(
        `allowedReturnToOrigins[${i}] must be an origin like https://app.example.com (no path or slash)`,
      );
    } else {
      allowedReturnToOrigins.add(url.origin);
    }
  }

  const successRedirect = optionalRedirect(input.successRedirect, 'successRedirect', problems);
  const failureRedirect = optionalRedirect(input.failureRedirect, 'failureRedirect', problems);
  const logoutRedirect = optionalRedirect(input.logoutRedirect, 'logoutRedirect', problems);
  const firstProvider = providers.keys().next().value;
  const signInPath =
    optionalRedirect(input.signInPath, 'signInPath', problems) ??
    `${baseUrl?.pathname.replace(/\/$/, '') ?? ''}${mountPath}/${firstProvider ?? ''}/login`;

  const keyring = parseKeyring(input.tokenEncryption, 'tokenEncryption', problems);
  for (const provider of providers.values()) {
    if (provider.mode === 'integration' && !keyring && input.tokenEncryption === undefined) {
      problems.push(
        `providers.${provider.name}.mode is "integration" but tokenEncryption is not set: add tokenEncryption: { keys: { k1: '<openssl rand -base64 32>' }, current: 'k1' } so stored tokens are encrypted`,
      );
    }
  }
  const refresh = resolveRefresh(input.refresh, problems);
  const accounts = {
    linkBy: input.accounts?.linkBy ?? 'verified-email',
    onEmailConflict: input.accounts?.onEmailConflict ?? 'error',
  } as const;
  if (input.accounts !== undefined) {
    rejectUnknownKeys(input.accounts, new Set(['linkBy', 'onEmailConflict']), 'accounts.', problems);
  }
  if (accounts.linkBy !== 'verified-email' && accounts.linkBy !== 'none') {
    problems.push('accounts.linkBy must be "verified-email" or "none"');
  }
  if (accounts.onEmailConflict !== 'error' && accounts.onEmailConflict !== 'create') {
    problems.push('accounts.onEmailConflict must be "error" or "create"');
  }
  const rateLimit = resolveRateLimit(input.rateLimit, problems);
  const appCallbacks = resolveAppCallbacks(input.appCallbacks, input.kvStore, problems);

  const keyPrefix = input.keyPrefix ?? DEFAULTS.keyPrefix;
  if (typeof keyPrefix !== 'string' || keyPrefix.length === 0) {
    problems.push('keyPrefix must be a non-empty string: default is "oar:"');
  }

  if (problems.length > 0) throw new ConfigError(problems);

  const logger = escapingLogger(input.logger ?? consoleLogger);
  for (const warning of warnings) logger.warn(`express-oauth-router: ${warning}`);

  const anyFormPost = [...providers.values()].some((p) => p.responseMode === 'form_post');
  return {
    baseUrl: baseUrl as URL,
    mountPath,
    redis: input.redis,
    keyPrefix,
    session: session as ResolvedConfig['session'],
    providers,
    successRedirect,
    failureRedirect,
    logoutRedirect,
    signInPath,
    allowedReturnToOrigins,
    stateTtlSeconds,
    kvStore: input.kvStore,
    userRepository: input.userRepository,
    logger,
    keyring,
    accounts,
    rateLimit,
    appCallbacks,
    tokenRepository: input.tokenRepository,
    refresh,
    bindingCookie: {
      // __Host- makes the browser refuse the cookie from a sibling subdomain (cookie tossing); it needs Secure and Path=/.
      name: session?.secure ? `__Host-${DEFAULTS.bindingCookieName}` : DEFAULTS.bindingCookieName,
      // form_post callbacks are cross-site POSTs: a Lax cookie would not come back with them.
      sameSite: anyFormPost && session?.secure ? 'none' : 'lax',
    },
    production,
  };
}

function resolveSession(
  input: OAuthRouterOptions,
  baseUrl: URL | undefined,
  insecureAllowed: boolean,
  production: boolean,
  problems: string[],
): ResolvedConfig['session'] | undefined {
  const options = input.session;
  if (typeof options !== 'object' || options === null) {
    problems.push(
      'session is required: set session.secret to a random string of 32+ characters (e.g. from SESSION_SECRET)',
    );
    return undefined;
  }
  rejectUnknownKeys(options, SESSION_KEYS, 'session.', problems);
  const secrets = typeof options.secret === 'string' ? [options.secret] : options.secret;
  if (
    !Array.isArray(secrets) ||
    secrets.length === 0 ||
    secrets.some((s) => typeof s !== 'string' || s === '')
  ) {
    problems.push(
      'session.secret is required: set it to a random string of 32+ characters, e.g. `openssl rand -base64 48` in SESSION_SECRET',
    );
  } else if (secrets.some((s) => s.length < DEFAULTS.minSecretLength)) {
    problems.push(`session.secret is too short: use at least ${DEFAULTS.minSecretLength} random characters`);
  }
  // Cookie security follows baseUrl: browsers never get a Secure cookie over plain http (express-session does not
  // even send it), so a Secure cookie on http://localhost is a sign-in that silently never sticks.
  const secure = options.secure ?? (baseUrl ? baseUrl.protocol === 'https:' : DEFAULTS.session.secure);
  if (options.secure === true && baseUrl?.protocol === 'http:') {
    problems.push(
      `session.secure is true but baseUrl is ${baseUrl.origin} (plain http), where browsers get no Secure cookie and sign-in cannot work: remove session.secure (it follows baseUrl), or serve the app over https and set baseUrl to https://…`,
    );
  }
  if (secure === false && !insecureAllowed) {
    problems.push(
      'session.secure may be false only for an http://localhost baseUrl: remove it (cookies must be Secure over https)',
    );
  }
  if (secure === false && production) {
    problems.push('session.secure must not be false in production: remove it');
  }
  const maxAgeSeconds = options.maxAgeSeconds ?? DEFAULTS.session.maxAgeSeconds;
  if (!Number.isInteger(maxAgeSeconds) || maxAgeSeconds < 60) {
    problems.push('session.maxAgeSeconds must be a whole number of seconds, at least 60');
  }
  const sameSite = options.sameSite ?? DEFAULTS.session.sameSite;
  if (sameSite !== 'lax' && sameSite !== 'strict') {
    problems.push(
      'session.sameSite must be "lax" or "strict" ("none" would send the session cookie cross-site)',
    );
  }
  // __Host- (Secure, Path=/, no Domain) makes browsers refuse a session cookie planted from a sibling subdomain or
  // over plain http: the cookie-tossing route to session fixation and to linking a victim's account.
  // A custom name keeps the protection: it is prefixed too (`myapp.sid` is sent as `__Host-myapp.sid`).
  const baseName = options.cookieName ?? DEFAULTS.session.cookieName;
  if (!/^[A-Za-z0-9._-]+$/.test(baseName))
    problems.push('session.cookieName may use only letters, digits, . _ -');
  if (!secure && /^__(Host|Secure)-/i.test(baseName))
    problems.push(
      'session.cookieName starts with __Host-/__Secure-, which browsers refuse without Secure: drop the prefix (it is added when cookies are Secure)',
    );
  const cookieName = secure && !baseName.startsWith('__Host-') ? `__Host-${baseName}` : baseName;
  return {
    secrets: Array.isArray(secrets) ? secrets : [],
    cookieName,
    maxAgeSeconds,
    secure,
    sameSite,
    store: options.store,
  };
}

function resolveProvider(
  name: string,
  options: ProviderOptions,
  baseUrl: URL | undefined,
  mountPath: string,
  transport: typeof fetch | undefined,
  problems: string[],
): ResolvedProvider | undefined {
  const at = `providers.${name}`;
  if (!PROVIDER_NAME.test(name)) {
    problems.push(`${at}: provider names must be lowercase letters, digits, - or _ (they appear in URLs)`);
    return undefined;
  }
  if (typeof options !== 'object' || options === null) {
    problems.push(
      `${at} must be an object with clientId and clientSecret (and issuer, unless it is a preset)`,
    );
    return undefined;
  }
  rejectUnknownKeys(options, PROVIDER_KEYS, `${at}.`, problems);
  const before = problems.length;

  const presetName = options.preset ?? (findPreset(name) ? name : undefined);
  const preset = presetName === undefined ? undefined : findPreset(presetName);
  if (presetName !== undefined && !preset) {
    problems.push(
      `${at}.preset "${presetName}" is not a preset: use one of ${Object.keys(PRESETS).join(', ')}`,
    );
    return undefined;
  }
  for (const option of preset?.requiredOptions ?? []) {
    if (typeof options[option] !== 'string' || options[option] === '') {
      problems.push(
        `${at}.${option} is required by the ${presetName} preset: see the preset's documentation`,
      );
    }
  }

  const kind =
    preset?.kind ??
    (options.issuer !== undefined || options.authorizationUrl === undefined ? 'oidc' : 'oauth2');
  let issuer: URL | undefined;
  let endpoints: ResolvedOAuth2Provider['endpoints'] | undefined;
  if (kind === 'oidc') {
    const issuerText = options.issuer ?? preset?.issuer?.(options);
    if (typeof issuerText !== 'string' || issuerText === '') {
      problems.push(
        `${at}.issuer is required: set it to the provider's issuer URL (discovery reads /.well-known/openid-configuration), or use a preset (${Object.keys(PRESETS).join(', ')})`,
      );
    } else {
      issuer = checkEndpoint(issuerText, `${at}.issuer`, problems);
    }
  } else {
    const url = (
      field: 'authorizationUrl' | 'tokenUrl' | 'userinfoUrl' | 'revocationUrl',
      required: boolean,
    ) => {
      const value = options[field] ?? preset?.[field];
      if (value === undefined) {
        if (required) problems.push(`${at}.${field} is required for a plain OAuth 2.0 provider`);
        return undefined;
      }
      return checkEndpoint(value, `${at}.${field}`, problems);
    };
    const authorizationUrl = url('authorizationUrl', true);
    const tokenUrl = url('tokenUrl', true);
    const userinfoUrl = url('userinfoUrl', true);
    const revocationUrl = url('revocationUrl', false);
    if (!preset && typeof options.profile !== 'function') {
      problems.push(
        `${at}.profile is required for a plain OAuth 2.0 provider: a function mapping its userinfo answer to { providerAccountId, email, emailVerified, name, avatarUrl }`,
      );
    }
    if (authorizationUrl && tokenUrl && userinfoUrl)
      endpoints = { authorizationUrl, tokenUrl, userinfoUrl, revocationUrl };
  }

  if (typeof options.clientId !== 'string' || options.clientId === '') {
    problems.push(
      `${at}.clientId is required: set it to the OAuth client ID from the provider's developer console`,
    );
  }
  if (
    options.clientSecret !== undefined &&
    (typeof options.clientSecret !== 'string' || options.clientSecret === '')
  ) {
    problems.push(`${at}.clientSecret must be a non-empty string, or omitted for a public client`);
  }
  const hasSecret = Boolean(options.clientSecret) || preset?.clientSecret !== undefined;
  const authMethod: TokenEndpointAuthMethod =
    options.tokenEndpointAuthMethod ??
    (hasSecret ? (preset?.tokenEndpointAuthMethod ?? 'client_secret_basic') : 'none');
  if (!['client_secret_basic', 'client_secret_post', 'none'].includes(authMethod)) {
    problems.push(`${at}.tokenEndpointAuthMethod must be client_secret_basic, client_secret_post or none`);
  } else if (authMethod !== 'none' && !hasSecret) {
    problems.push(
      `${at}.clientSecret is required for tokenEndpointAuthMethod ${authMethod}: copy it from the provider's developer console`,
    );
  }

  // Asking for offline_access means the app wants to act later without the user: that is integration mode.
  const mode = options.mode ?? (options.scopes?.includes('offline_access') ? 'integration' : 'signin');
  if (mode !== 'signin' && mode !== 'integration')
    problems.push(`${at}.mode must be "signin" or "integration"`);
  const presetScopes =
    mode === 'integration' ? (preset?.scopes.integration ?? preset?.scopes.signin) : preset?.scopes.signin;
  const scopes =
    options.scopes ??
    (presetScopes
      ? [...presetScopes]
      : mode === 'integration'
        ? [...DEFAULTS.integrationScopes]
        : [...DEFAULTS.provider.scopes]);
  if (
    !Array.isArray(scopes) ||
    scopes.some((scope) => typeof scope !== 'string' || /\s/.test(scope) || scope === '')
  ) {
    problems.push(`${at}.scopes must be an array of scope strings without spaces`);
  } else if (kind === 'oidc' && !scopes.includes('openid')) {
    problems.push(`${at}.scopes must include "openid" for an OpenID Connect provider`);
  }
  const authorizationParams: Record<string, string> = {
    ...(preset?.authorizationParams?.signin ?? {}),
    ...(mode === 'integration' ? (preset?.authorizationParams?.integration ?? {}) : {}),
    ...(options.authorizationParams ?? {}),
  };
  for (const key of Object.keys(options.authorizationParams ?? {})) {
    if (RESERVED_AUTHORIZATION_PARAMS.has(key)) {
      problems.push(
        `${at}.authorizationParams.${key} is set by the library and cannot be overridden: remove it`,
      );
    } else if (typeof authorizationParams[key] !== 'string') {
      problems.push(`${at}.authorizationParams.${key} must be a string`);
    }
  }
  // Without consent, OIDC providers drop offline_access and issue no refresh token.
  if (mode === 'integration' && Array.isArray(scopes) && scopes.includes('offline_access') && !preset) {
    authorizationParams.prompt ??= 'consent';
  }
  const responseMode = options.responseMode ?? preset?.responseMode ?? DEFAULTS.provider.responseMode;
  if (responseMode !== 'query' && responseMode !== 'form_post') {
    problems.push(`${at}.responseMode must be "query" or "form_post"`);
  }
  if (options.profile !== undefined && typeof options.profile !== 'function') {
    problems.push(`${at}.profile must be a function`);
  }
  if (problems.length > before) return undefined;

  const base = baseUrl ? baseUrl.href.replace(/\/$/, '') : '';
  const secretFactory = preset?.clientSecret;
  const clientId = options.clientId;
  const common: ResolvedProviderBase = {
    name,
    pkce: preset?.pkce ?? true,
    scopeSeparator: preset?.scopeSeparator ?? ' ',
    tokenErrorsWithStatus200: preset?.tokenErrorsWithStatus200 ?? false,
    tokenRequestFormat: options.tokenRequestFormat ?? preset?.tokenRequestFormat ?? 'form',
    idTokenSignature: preset?.idTokenSignature ?? 'jwks',
    loginParams: preset?.loginParams ?? {},
    mapProfile: options.profile ?? preset?.profile ?? standardClaimsProfile,
    fetchProfile: preset?.fetchProfile,
    clientSecretFactory: secretFactory ? () => secretFactory({ ...options, clientId }) : undefined,
    endSessionOnLogout: options.endSessionOnLogout ?? false,
    preset: presetName,
    clientId,
    clientSecret: options.clientSecret,
    scopes,
    authorizationParams,
    responseMode,
    tokenEndpointAuthMethod: authMethod,
    authMethodFromDiscovery:
      kind === 'oidc' &&
      hasSecret &&
      options.tokenEndpointAuthMethod === undefined &&
      !preset?.tokenEndpointAuthMethod,
    fetchUserInfo: options.fetchUserInfo ?? DEFAULTS.provider.fetchUserInfo,
    displayName: options.displayName ?? preset?.displayName ?? name,
    mode,
    revokeOnLogout: options.revokeOnLogout ?? false,
    redirectUri: `${base}${mountPath}/${name}/callback`,
    allowInsecureRequests: [issuer, endpoints?.authorizationUrl, endpoints?.tokenUrl].some(
      (u) => u?.protocol === 'http:',
    ),
    fetch: transport,
  };
  // Both are set when no problem was recorded for this provider (checked above).
  if (kind === 'oidc' && issuer) return { ...common, kind, issuer };
  if (kind === 'oauth2' && endpoints) return { ...common, kind, endpoints };
  return undefined;
}

/** Parses a provider URL: https, or http on loopback only (development providers and test fakes). */
function checkEndpoint(value: string, field: string, problems: string[]): URL | undefined {
  const url = tryUrl(value);
  if (!url) {
    problems.push(`${field} is not a URL: "${value}"`);
  } else if (url.protocol === 'http:' && !isLoopback(url)) {
    problems.push(
      `${field} must use https: plain http is allowed only on loopback (localhost, 127.0.0.1, ::1)`,
    );
  } else if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    problems.push(`${field} must be an https URL`);
  } else {
    return url;
  }
  return undefined;
}

function resolveAppCallbacks(
  input: OAuthRouterOptions['appCallbacks'],
  kvStore: OAuthRouterOptions['kvStore'],
  problems: string[],
): ResolvedConfig['appCallbacks'] {
  if (input === undefined) return undefined;
  rejectUnknownKeys(
    input,
    new Set([
      'allowedRedirects',
      'exchangeCodeTtlSeconds',
      'accessTokenTtlSeconds',
      'refreshTokenTtlSeconds',
      'sessionLifetimeSeconds',
      'corsOrigins',
    ]),
    'appCallbacks.',
    problems,
  );
  // A store written before setIfAbsent existed would make refresh-token reuse undetectable under concurrency.
  if (kvStore !== undefined && typeof (kvStore as Partial<KvStore>).setIfAbsent !== 'function') {
    problems.push(
      'kvStore.setIfAbsent is missing: app sessions need an atomic write-if-absent to detect refresh-token reuse; implement it (see docs/adapters.md), or remove kvStore to use the built-in Redis store',
    );
  }
  const allowed = Array.isArray(input.allowedRedirects) ? input.allowedRedirects : [];
  if (allowed.length === 0) {
    problems.push(
      'appCallbacks.allowedRedirects is required: list the exact callback URLs of your apps (myapp://auth/callback, https://spa.example.com/auth/callback)',
    );
  }
  const corsOrigins = new Set<string>();
  for (const [i, entry] of allowed.entries()) {
    const at = `appCallbacks.allowedRedirects[${i}]`;
    const unsafe = typeof entry === 'string' ? unsafeAppCallback(entry) : 'must be a string';
    const url = unsafe === undefined ? tryUrl(entry) : undefined;
    if (!url) {
      problems.push(`${at} ${unsafe ?? 'must be an absolute URL'}: list the exact callback URL`);
    } else if ((url.protocol === 'http:' || url.protocol === 'https:') && url.origin === entry) {
      // This form used to allow every page of the origin: any page there that leaks its URL (third-party
      // script, open redirect, Referer) would hand the code to whoever built the login link.
      problems.push(
        `${at} "${entry}" is an origin, not a callback URL: list the exact callback URL (e.g. ${entry}/auth/callback), which must match character for character; its origin gets CORS from it, and origins that only need CORS go in appCallbacks.corsOrigins`,
      );
    } else if (url.protocol === 'http:' && !isLoopback(url)) {
      problems.push(`${at} must use https (http only on loopback)`);
    } else if (url.protocol === 'http:' || url.protocol === 'https:') {
      // A single-page app served from this origin calls the session routes cross-origin.
      corsOrigins.add(url.origin);
    }
  }
  const extraCors = input.corsOrigins ?? [];
  if (!Array.isArray(extraCors)) {
    problems.push('appCallbacks.corsOrigins must be an array of origins like https://spa.example.com');
  } else {
    for (const [i, origin] of extraCors.entries()) {
      const url = typeof origin === 'string' ? tryUrl(origin) : undefined;
      if (!url || url.origin !== origin || !/^https?:$/.test(url.protocol)) {
        problems.push(
          `appCallbacks.corsOrigins[${i}] must be an origin like https://spa.example.com (no path or slash)`,
        );
      } else if (url.protocol === 'http:' && !isLoopback(url)) {
        problems.push(`appCallbacks.corsOrigins[${i}] must use https (http only on loopback)`);
      } else {
        corsOrigins.add(origin);
      }
    }
  }
  const defaults = DEFAULTS.appCallbacks;
  const ttl = (field: keyof typeof defaults, max: number) => {
    const seconds = input[field] ?? defaults[field];
    if (!Number.isInteger(seconds) || seconds < 1 || seconds > max) {
      problems.push(
        `appCallbacks.${field} must be a whole number of seconds from 1 to ${max}: default is ${defaults[field]}`,
      );
    }
    return seconds;
  };
  return {
    allowedRedirects: allowed,
    exchangeCode: ttl('exchangeCodeTtlSeconds', 60),
    accessToken: ttl('accessTokenTtlSeconds', 86_400),
    refreshToken: ttl('refreshTokenTtlSeconds', 365 * 86_400),
    sessionLifetime: ttl('sessionLifetimeSeconds', 365 * 86_400),
    corsOrigins,
  };
}

function resolveRateLimit(
  input: OAuthRouterOptions['rateLimit'],
  problems: string[],
): ResolvedConfig['rateLimit'] {
  if (input === false) return false;
  if (input !== undefined)
    rejectUnknownKeys(input, new Set(['windowSeconds', 'max']), 'rateLimit.', problems);
  const windowSeconds = input?.windowSeconds ?? DEFAULTS.rateLimit.windowSeconds;
  const max = input?.max ?? DEFAULTS.rateLimit.max;
  if (!Number.isInteger(windowSeconds) || windowSeconds < 1 || windowSeconds > 3600) {
    problems.push(
      `rateLimit.windowSeconds must be a whole number from 1 to 3600: default is ${DEFAULTS.rateLimit.windowSeconds}`,
    );
  }
  if (!Number.isInteger(max) || max < 1)
    problems.push(`rateLimit.max must be a whole number >= 1: default is ${DEFAULTS.rateLimit.max}`);
  return { windowSeconds, max };
}

function resolveRefresh(input: OAuthRouterOptions['refresh'], problems: string[]): ResolvedConfig['refresh'] {
  const skewSeconds = input?.skewSeconds ?? DEFAULTS.refresh.skewSeconds;
  const lockTtlSeconds = input?.lockTtlSeconds ?? DEFAULTS.refresh.lockTtlSeconds;
  if (input !== undefined)
    rejectUnknownKeys(input, new Set(['skewSeconds', 'lockTtlSeconds']), 'refresh.', problems);
  if (!Number.isInteger(skewSeconds) || skewSeconds < 0 || skewSeconds > 3600) {
    problems.push('refresh.skewSeconds must be a whole number from 0 to 3600: default is 60');
  }
  if (typeof lockTtlSeconds !== 'number' || !(lockTtlSeconds > 0) || lockTtlSeconds > 300) {
    problems.push(
      'refresh.lockTtlSeconds must be a number above 0 and at most 300: default is 15 (longer than a slow token request)',
    );
  }
  return { skewSeconds, lockTtlMs: Math.round(lockTtlSeconds * 1000) };
}

function parseBaseUrl(value: unknown, problems: string[]): URL | undefined {
  if (typeof value !== 'string' || value === '') {
    problems.push(
      'baseUrl is required: set it to the public origin of the app, e.g. https://app.example.com',
    );
    return undefined;
  }
  const url = tryUrl(value);
  if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:') || url.search || url.hash) {
    problems.push(
      `baseUrl must be an http(s) URL without query or fragment, e.g. https://app.example.com (got "${value}")`,
    );
    return undefined;
  }
  if (url.protocol === 'http:' && !isLoopback(url)) {
    problems.push(
      'baseUrl must use https: plain http is allowed only on loopback (localhost, 127.0.0.1, ::1)',
    );
  }
  return url;
}

function parsePath(value: unknown, field: string, problems: string[]): string {
  if (typeof value !== 'string' || !/^(\/[A-Za-z0-9._~-]+)+$/.test(value)) {
    problems.push(`${field} must be a path like /auth (leading slash, no trailing slash)`);
    return '/auth';
  }
  return value;
}

function optionalRedirect(value: unknown, field: string, problems: string[]): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || (!(value.startsWith('/') && !value.startsWith('//')) && !tryUrl(value))) {
    problems.push(`${field} must be a path like /dashboard or an absolute URL`);
    return undefined;
  }
  return value;
}

function rejectUnknownKeys(object: object, known: Set<string>, prefix: string, problems: string[]): void {
  for (const key of Object.keys(object)) {
    if (!known.has(key)) {
      problems.push(`${prefix}${key} is not an option: check the spelling (known: ${[...known].join(', ')})`);
    }
  }
}

function tryUrl(value: string): URL | undefined {
  try {
    return new URL(value);
  } catch {
    return undefined;
  }
}

/**
 * Every log line passes here: whatever part of it came from a request, its control characters are escaped, so
 * a crafted parameter cannot forge a log line or drive the operator's terminal, whichever logger the app gave.
 */
function escapingLogger(logger: Logger): Logger {
  return {
    warn: (message, details) =>
      details
        ? logger.warn(escapeControlCharacters(message), escapeLogDetails(details))
        : logger.warn(escapeControlCharacters(message)),
    error: (message, details) =>
      details
        ? logger.error(escapeControlCharacters(message), escapeLogDetails(details))
        : logger.error(escapeControlCharacters(message)),
  };
}

const consoleLogger: Logger = {
  warn: (message, details) => (details ? console.warn(message, details) : console.warn(message)),
  error: (message, details) => (details ? console.error(message, details) : console.error(message)),
};
