import { DEFAULTS } from './defaults.js';

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * Whether a URL points at this machine; plain http is tolerated only there.
 *
 * @param url - A parsed URL.
 * @returns True for localhost, 127.0.0.1, [::1] and any `*.localhost` name.
 * @example
 * ```ts
 * isLoopback(new URL('http://localhost:3000')); // true
 * ```
 */
export function isLoopback(url: URL): boolean {
  return LOOPBACK_HOSTS.has(url.hostname) || url.hostname.endsWith('.localhost');
}

/**
 * Parses an absolute URL without throwing.
 *
 * @param value - The text to parse.
 * @returns The URL, or undefined when it is not an absolute URL.
 */
export function tryUrl(value: string): URL | undefined {
  try {
    return new URL(value);
  } catch {
    return undefined;
  }
}

/**
 * Records a problem for every key of `object` that `known` does not list, so a typo fails loudly at startup
 * instead of leaving the default silently in place.
 *
 * @param object - The options object as the app passed it.
 * @param known - Its option names (from `option-keys.ts`).
 * @param prefix - The path of the object in messages, ending with a dot (`session.`), or empty at the top.
 * @param problems - Where problems are collected.
 */
export function rejectUnknownKeys(
  object: object,
  known: ReadonlySet<string>,
  prefix: string,
  problems: string[],
): void {
  for (const key of Object.keys(object)) {
    if (!known.has(key)) {
      problems.push(`${prefix}${key} is not an option: check the spelling (known: ${[...known].join(', ')})`);
    }
  }
}

/**
 * Parses a provider URL: https, or http on loopback only (development providers and test fakes).
 *
 * @param value - The configured URL.
 * @param field - Its path in messages (`providers.acme.issuer`).
 * @param problems - Where problems are collected.
 * @returns The URL, or undefined after recording a problem.
 */
export function checkEndpoint(value: string, field: string, problems: string[]): URL | undefined {
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

/**
 * Parses `baseUrl`: an http(s) URL without query or fragment, https unless on loopback.
 *
 * @param value - `baseUrl` as the app passed it.
 * @param problems - Where problems are collected.
 * @returns The URL, or undefined when it cannot be used at all.
 */
export function parseBaseUrl(value: unknown, problems: string[]): URL | undefined {
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

/**
 * Checks a mount path: segments of URL-safe characters, a leading slash and no trailing one.
 *
 * @param value - The configured path.
 * @param field - Its name in messages.
 * @param problems - Where problems are collected.
 * @returns The path, or the default mount path after recording a problem (so later checks still run).
 */
export function parsePath(value: unknown, field: string, problems: string[]): string {
  if (typeof value !== 'string' || !/^(\/[A-Za-z0-9._~-]+)+$/.test(value)) {
    problems.push(`${field} must be a path like /auth (leading slash, no trailing slash)`);
    return DEFAULTS.mountPath;
  }
  return value;
}

/**
 * Checks an optional redirect target: a local path (never `//host`, which browsers read as another origin) or
 * an absolute URL.
 *
 * @param value - The configured target, or undefined.
 * @param field - Its name in messages.
 * @param problems - Where problems are collected.
 * @returns The target, or undefined when unset or invalid.
 */
export function optionalRedirect(value: unknown, field: string, problems: string[]): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || (!(value.startsWith('/') && !value.startsWith('//')) && !tryUrl(value))) {
    problems.push(`${field} must be a path like /dashboard or an absolute URL`);
    return undefined;
  }
  return value;
}
