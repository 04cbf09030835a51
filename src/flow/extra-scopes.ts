import { OAuthRouterError } from '../errors.js';

/** At most this many extra scopes per login; more is a bug or an attempt to bloat the stored state. */
const MAX_EXTRA_SCOPES = 20;
/** A scope token as RFC 6749 §3.3 defines it (printable ASCII without space, quote or backslash), bounded. */
const SCOPE_TOKEN = /^[\x21\x23-\x5B\x5D-\x7E]{1,128}$/;

/**
 * Reads the login route's `scope` parameter: extra scopes for incremental authorization (e.g. `?scope=repo`),
 * space-separated. They only ever add to the configured scopes.
 *
 * @throws OAuthRouterError `invalid_request` for a malformed or oversized value.
 * @see RFC 6749 §3.3
 */
export function parseExtraScopes(value: unknown): string[] {
  if (value === undefined || value === '') return [];
  if (typeof value !== 'string') throw new OAuthRouterError('invalid_request', 'scope must be given once');
  const scopes = value.split(' ').filter(Boolean);
  if (scopes.length > MAX_EXTRA_SCOPES || scopes.some((scope) => !SCOPE_TOKEN.test(scope))) {
    throw new OAuthRouterError('invalid_request', 'scope is not a list of valid scope tokens');
  }
  return [...new Set(scopes)];
}
