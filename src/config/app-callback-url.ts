const MAX_LENGTH = 2048;

/**
 * Schemes a callback may never use, whatever the allowlist says: they run script in whatever page opens them
 * (`javascript:`, `vbscript:`), carry their own content (`data:`), or name content of another origin or of the
 * device (`blob:https://spa.example.com/…` has that origin but is a page anyone on it can mint; `file:`,
 * `filesystem:`, `about:`).
 */
const FORBIDDEN_SCHEMES = new Set([
  'javascript:',
  'vbscript:',
  'data:',
  'blob:',
  'file:',
  'filesystem:',
  'about:',
]);

/**
 * Says why a URL can never be an app callback: not printable ASCII (control characters, spaces, anything a URL
 * parser would strip or re-encode, so that what is compared is what the browser opens), a backslash (which URL
 * parsers read as `/` in http(s) URLs), not absolute, credentials, a fragment, a forbidden scheme, or over 2048
 * characters. Applied to `appCallbacks.allowedRedirects` at startup and again to every `redirectUrl`, so a bad
 * entry in the list cannot open any of these.
 *
 * @param value - A candidate callback URL.
 * @returns What is wrong with it, phrased to follow the field name, or undefined when it may be a callback.
 * @example
 * ```ts
 * unsafeAppCallback('myapp://auth/callback'); // undefined
 * unsafeAppCallback('javascript:alert(1)'); // 'must not use the javascript: scheme'
 * ```
 */
export function unsafeAppCallback(value: string): string | undefined {
  if (value.length === 0 || value.length > MAX_LENGTH) return `must be 1 to ${MAX_LENGTH} characters long`;
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if (code < 0x21 || code > 0x7e || code === 0x5c) {
      return 'must be printable ASCII without spaces or backslashes (percent-encode anything else)';
    }
  }
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'must be an absolute URL';
  }
  if (url.username || url.password) return 'must not carry credentials';
  if (value.includes('#')) return 'must not have a fragment';
  if (FORBIDDEN_SCHEMES.has(url.protocol)) return `must not use the ${url.protocol} scheme`;
  return undefined;
}
