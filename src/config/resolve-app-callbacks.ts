import { unsafeAppCallback } from './app-callback-url.js';
import { isLoopback, rejectUnknownKeys, tryUrl } from './checks.js';
import { DEFAULTS, LIMITS } from './defaults.js';
import { APP_CALLBACK_KEYS } from './option-keys.js';
import type { OAuthRouterOptions, ResolvedConfig } from './types.js';

/**
 * Resolves `appCallbacks`: the exact callback URLs apps may receive an exchange code at, the origins allowed to
 * call the session routes cross-origin, and the lifetimes of codes, tokens and app sessions.
 *
 * @param input - `appCallbacks` as the app passed it.
 * @param kvStore - The app's `kvStore`, whose atomic write-if-absent app sessions need.
 * @param problems - Where problems are collected.
 * @returns The settings, or undefined when app callbacks are off.
 */
export function resolveAppCallbacks(
  input: OAuthRouterOptions['appCallbacks'],
  kvStore: OAuthRouterOptions['kvStore'],
  problems: string[],
): ResolvedConfig['appCallbacks'] {
  if (input === undefined) return undefined;
  rejectUnknownKeys(input, APP_CALLBACK_KEYS, 'appCallbacks.', problems);
  // A store written before setIfAbsent existed would make refresh-token reuse undetectable under concurrency.
  if (
    kvStore !== undefined &&
    typeof (kvStore as Partial<NonNullable<typeof kvStore>>).setIfAbsent !== 'function'
  ) {
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
  const extraCors = input.corsOrigins ?? DEFAULTS.appCallbacks.corsOrigins;
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
  const ttl = (field: keyof typeof LIMITS.appCallbacks) => {
    const seconds = input[field] ?? defaults[field];
    const max = LIMITS.appCallbacks[field];
    if (!Number.isInteger(seconds) || seconds < 1 || seconds > max) {
      problems.push(
        `appCallbacks.${field} must be a whole number of seconds from 1 to ${max}: default is ${defaults[field]}`,
      );
    }
    return seconds;
  };
  return {
    allowedRedirects: allowed,
    exchangeCode: ttl('exchangeCodeTtlSeconds'),
    accessToken: ttl('accessTokenTtlSeconds'),
    refreshToken: ttl('refreshTokenTtlSeconds'),
    sessionLifetime: ttl('sessionLifetimeSeconds'),
    corsOrigins,
  };
}
