import { OAuthRouterError } from '../errors.js';

/** Longest `returnTo` accepted; longer ones are either bugs or attempts to bloat the stored state. */
const MAX_RETURN_TO_LENGTH = 2048;

/**
 * The open-redirect guard. Accepts a same-origin relative path (`/dashboard?tab=1`) or an absolute URL whose
 * origin is `baseUrl`'s or listed in `allowedOrigins`. Rejects protocol-relative (`//evil`), backslash
 * (`/\evil`), scheme (`javascript:`), whitespace and control-character tricks that browsers normalise into
 * another origin.
 *
 * @param value - The untrusted `returnTo` parameter.
 * @returns The normalised target, or undefined when none was given.
 * @throws OAuthRouterError `invalid_request` when the target is not allowed.
 * @see RFC 9700 §4.11 (open redirection)
 */
export function checkReturnTo(
  value: unknown,
  baseUrl: URL,
  allowedOrigins: ReadonlySet<string>,
): string | undefined {
  if (value === undefined || value === '') return undefined;
  const reject = () => new OAuthRouterError('invalid_request', 'returnTo is not an allowed redirect target');
  if (typeof value !== 'string' || value.length > MAX_RETURN_TO_LENGTH) throw reject();
  // Browsers drop tabs/newlines and treat "\" as "/" in URLs, turning "/\t/evil" or "/\evil" into "//evil".
  if (hasControlOrSpaceOrBackslash(value)) throw reject();
  if (value.startsWith('/')) {
    if (value.startsWith('//')) throw reject();
    const url = new URL(value, baseUrl);
    if (url.origin !== baseUrl.origin) throw reject();
    const path = `${url.pathname}${url.search}${url.hash}`;
    if (path.startsWith('//')) throw reject();
    return path;
  }
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw reject();
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw reject();
  if (url.username || url.password) throw reject();
  if (url.origin !== baseUrl.origin && !allowedOrigins.has(url.origin)) throw reject();
  return url.href;
}

function hasControlOrSpaceOrBackslash(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if (code <= 0x20 || code === 0x7f || code === 0x5c) return true;
  }
  return false;
}
