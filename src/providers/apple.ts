import { importPKCS8, SignJWT } from 'jose';
import { type ProviderPreset, str } from './types.js';

/**
 * Sign in with Apple (OpenID Connect). Options: `teamId`, `keyId` and `privateKey` (the .p8 key's PEM); the
 * client secret is an ES256 JWT signed with them, made fresh every hour. `clientId` is the Services ID.
 *
 * Redirect URI to register (Certificates, Identifiers & Profiles → Services IDs → Sign in with Apple → Return
 * URLs): `<baseUrl>/auth/apple/callback`; Apple requires https and a real domain. Scopes: `name email`.
 * Quirks: with `name`/`email` scopes Apple posts the callback (`response_mode=form_post`), so the browser
 * binding cookie is SameSite=None. Apple sends the user's name only on the first authorization, as a `user`
 * form field, never in the id_token. `email_verified` may be the string "true".
 */
export const apple = {
  displayName: 'Apple',
  kind: 'oidc',
  issuer: () => 'https://appleid.apple.com',
  scopes: { signin: ['openid', 'name', 'email'] },
  // Apple does not document PKCE support; the nonce and the form_post binding protect the code.
  pkce: false,
  responseMode: 'form_post',
  tokenEndpointAuthMethod: 'client_secret_post',
  requiredOptions: ['teamId', 'keyId', 'privateKey'],
  callbackClaims: (claims, params) => withCallbackName(claims, params),
  profile: (raw) => ({
    providerAccountId: String(raw.sub),
    email: str(raw.email),
    emailVerified: raw.email_verified === true || raw.email_verified === 'true',
    name: str(raw.name),
    avatarUrl: null,
  }),
  async clientSecret({ teamId, keyId, privateKey, clientId }) {
    const key = await importPKCS8(privateKey as string, 'ES256');
    return new SignJWT({})
      .setProtectedHeader({ alg: 'ES256', kid: keyId as string })
      .setIssuer(teamId as string)
      .setSubject(clientId)
      .setAudience('https://appleid.apple.com')
      .setIssuedAt()
      .setExpirationTime('1h')
      .sign(key);
  },
} satisfies ProviderPreset;

/**
 * Apple posts the user's name once, in a `user` form field beside the code (never in the id_token). It is not
 * signed, so it only ever fills in a missing display name.
 *
 * @param claims - The user's claims.
 * @param params - The callback parameters.
 * @returns The claims, with `name` from the callback when they had none.
 * @example
 * ```ts
 * withCallbackName({ sub: '1' }, new URLSearchParams({ user: '{"name":{"firstName":"Ada"}}' })); // { sub: '1', name: 'Ada' }
 * ```
 */
export function withCallbackName(
  claims: Record<string, unknown>,
  params: URLSearchParams,
): Record<string, unknown> {
  const user = params.get('user');
  if (!user || typeof claims.name === 'string') return claims;
  try {
    const name = (JSON.parse(user) as { name?: { firstName?: unknown; lastName?: unknown } }).name;
    const full = [name?.firstName, name?.lastName]
      .filter((part) => typeof part === 'string' && part !== '')
      .join(' ');
    return full ? { ...claims, name: full.slice(0, 200) } : claims;
  } catch {
    return claims;
  }
}
