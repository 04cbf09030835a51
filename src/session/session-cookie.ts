import { type CookieSerializeOptions, parse, serialize } from 'cookie';
import { sign, unsign } from 'cookie-signature';

/**
 * The session id carried by the request's session cookie, when its signature verifies with one of `secrets`
 * (the first signs, all verify, so secrets rotate without signing anyone out). The format is express-session's
 * (`s:<id>.<HMAC-SHA256>`), so sessions issued before this reader existed stay valid.
 */
export function readSessionId(
  header: string | undefined,
  name: string,
  secrets: readonly string[],
): string | undefined {
  if (!header) return undefined;
  const raw = parse(header)[name];
  if (!raw?.startsWith('s:')) return undefined;
  const signed = raw.slice(2);
  for (const secret of secrets) {
    const id = unsign(signed, secret);
    if (id !== false) return id;
  }
  return undefined;
}

/** The `Set-Cookie` value that hands `id` to the browser, signed with `secret`. */
export function sessionCookieHeader(
  name: string,
  id: string,
  secret: string,
  options: CookieSerializeOptions,
): string {
  return serialize(name, `s:${sign(id, secret)}`, options);
}
