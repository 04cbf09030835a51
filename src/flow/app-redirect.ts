import { OAuthRouterError } from '../errors.js';

const MAX_LENGTH = 2048;

/**
 * Checks an app callback URL (`redirectUrl` at the login route) against the configured allowlist. An entry is
 * either an exact URL, custom schemes included (`myapp://auth/callback`), which must match character for
 * character, or a bare http(s) origin (`https://spa.example.com`), which matches any path on exactly that
 * scheme, host and port. Look-alikes (other ports, suffixed hosts, `myapp://auth/callback.evil`) never match.
 *
 * @returns The URL, unchanged, when allowed.
 * @throws OAuthRouterError `invalid_request` otherwise, before the provider is ever contacted.
 */
export function checkAppRedirect(value: unknown, allowlist: readonly string[]): string {
  const reject = () => new OAuthRouterError('invalid_request', 'redirectUrl is not an allowed app callback');
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_LENGTH) throw reject();
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if (code <= 0x20 || code === 0x7f || code === 0x5c) throw reject();
  }
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw reject();
  }
  if (url.username || url.password || url.hash) throw reject();
  for (const entry of allowlist) {
    if (entry === value) return value;
    if (isOrigin(entry) && (url.protocol === 'https:' || url.protocol === 'http:') && url.origin === entry)
      return value;
  }
  throw reject();
}

/** Whether an allowlist entry is a bare http(s) origin rather than an exact URL. */
function isOrigin(entry: string): boolean {
  try {
    const url = new URL(entry);
    return (url.protocol === 'https:' || url.protocol === 'http:') && url.origin === entry;
  } catch {
    return false;
  }
}
