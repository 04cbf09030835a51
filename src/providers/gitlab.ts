import { type ProviderPreset, str } from './types.js';

/**
 * GitLab (OpenID Connect), gitlab.com or self-managed (set `issuer` to your instance's URL).
 *
 * Redirect URI to register (User settings → Applications): `<baseUrl>/auth/gitlab/callback`.
 * Scopes: `openid profile email`; integration mode adds `read_api`. `email_verified` is a boolean claim.
 */
export const gitlab = {
  displayName: 'GitLab',
  kind: 'oidc',
  issuer: () => 'https://gitlab.com',
  scopes: { signin: ['openid', 'profile', 'email'], integration: ['openid', 'profile', 'email', 'read_api'] },
  pkce: true,
  profile: (raw) => ({
    providerAccountId: String(raw.sub),
    email: str(raw.email),
    emailVerified: raw.email_verified === true,
    name: str(raw.name) ?? str(raw.nickname),
    avatarUrl: str(raw.picture),
  }),
} satisfies ProviderPreset;
