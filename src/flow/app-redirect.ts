import { unsafeAppCallback } from '../config/app-callback-url.js';
import { OAuthRouterError } from '../errors.js';

/**
 * Checks an app callback URL (`redirectUrl` at the login route) against the configured allowlist: it must equal
 * an entry character for character (RFC 9700 §4.1.3: exact string matching), custom schemes included
 * (`myapp://auth/callback`). Nothing is normalised and no entry stands for an origin or a prefix, so other pages
 * of an allowed origin, trailing slashes, added queries, case or port variants and dot segments never match.
 *
 * @param value - The `redirectUrl` query value (anything Express parsed: a repeated parameter is an array).
 * @param allowlist - `appCallbacks.allowedRedirects`.
 * @returns The URL, unchanged, when allowed.
 * @throws OAuthRouterError `invalid_request` otherwise, before the provider is ever contacted.
 * @example
 * ```ts
 * checkAppRedirect('myapp://auth/callback', ['myapp://auth/callback']); // 'myapp://auth/callback'
 * checkAppRedirect('https://spa.example.com/other', ['https://spa.example.com/auth/callback']); // throws
 * ```
 */
export function checkAppRedirect(value: unknown, allowlist: readonly string[]): string {
  if (typeof value !== 'string' || unsafeAppCallback(value) !== undefined || !allowlist.includes(value)) {
    throw new OAuthRouterError('invalid_request', 'redirectUrl is not an allowed app callback');
  }
  return value;
}
