import { type ProviderPreset, str } from './types.js';

/**
 * LINE Login (OpenID Connect).
 *
 * Redirect URI to register (LINE Developers → Channel → LINE Login → Callback URL): `<baseUrl>/auth/line/callback`.
 * Scopes: `openid profile email` (email needs approval in the console). LINE does not assert that the email is
 * verified, so `emailVerified` is false. The token endpoint takes the secret in the body. Web login id_tokens are
 * HS256-signed with the channel secret (not with a key of LINE's JWK Set), and verified that way.
 */
export const line = {
  displayName: 'LINE',
  kind: 'oidc',
  issuer: () => 'https://access.line.me',
  scopes: { signin: ['openid', 'profile', 'email'] },
  pkce: true,
  tokenEndpointAuthMethod: 'client_secret_post',
  idTokenSignature: 'client_secret',
  profile: (raw) => ({
    providerAccountId: String(raw.sub),
    email: str(raw.email),
    emailVerified: false,
    name: str(raw.name),
    avatarUrl: str(raw.picture),
  }),
} satisfies ProviderPreset;
