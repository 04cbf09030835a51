import { rejectUnknownKeys } from './checks.js';
import { DEFAULTS, LIMITS } from './defaults.js';
import { SESSION_KEYS } from './option-keys.js';
import type { OAuthRouterOptions, ResolvedConfig, ResolvedProvider } from './types.js';

/**
 * Resolves `session`: the secrets, and the cookie's name and flags, which follow `baseUrl`.
 *
 * @param input - The options as the app passed them.
 * @param baseUrl - The parsed `baseUrl`, if it was valid.
 * @param insecureAllowed - Whether `baseUrl` is http on loopback, the one place a non-Secure cookie may be used.
 * @param production - Whether `NODE_ENV` is production.
 * @param problems - Where problems are collected.
 * @returns The session settings, or undefined when `session` is missing.
 */
export function resolveSession(
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
  } else if (secrets.some((s) => s.length < LIMITS.minSecretLength)) {
    problems.push(`session.secret is too short: use at least ${LIMITS.minSecretLength} random characters`);
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
  if (!Number.isInteger(maxAgeSeconds) || maxAgeSeconds < LIMITS.minSessionMaxAgeSeconds) {
    problems.push(
      `session.maxAgeSeconds must be a whole number of seconds, at least ${LIMITS.minSessionMaxAgeSeconds}`,
    );
  }
  const recordIp = options.recordIp ?? DEFAULTS.session.recordIp;
  if (typeof recordIp !== 'boolean') problems.push('session.recordIp must be true or false');
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
    recordIp,
  };
}

/**
 * The cookie that binds a pending login to the browser that started it.
 *
 * @param secure - Whether cookies are Secure (from the resolved session).
 * @param providers - The resolved providers.
 * @returns Its name and SameSite.
 */
export function resolveBindingCookie(
  secure: boolean | undefined,
  providers: ReadonlyMap<string, ResolvedProvider>,
): ResolvedConfig['bindingCookie'] {
  const anyFormPost = [...providers.values()].some((p) => p.responseMode === 'form_post');
  return {
    // __Host- makes the browser refuse the cookie from a sibling subdomain (cookie tossing); it needs Secure and Path=/.
    name: secure ? `__Host-${DEFAULTS.bindingCookieName}` : DEFAULTS.bindingCookieName,
    // form_post callbacks are cross-site POSTs: a Lax cookie would not come back with them.
    sameSite: anyFormPost && secure ? 'none' : 'lax',
  };
}
