import { type ProviderGet, type ProviderPreset, str } from './types.js';

interface GitHubEmail {
  email: string;
  primary: boolean;
  verified: boolean;
}

/**
 * GitHub (plain OAuth 2.0: no OpenID Connect).
 *
 * Redirect URI to register (Settings → Developer settings → OAuth Apps → Authorization callback URL):
 * `<baseUrl>/auth/github/callback`. Scopes: `read:user user:email`.
 * Quirks: `/user` shows only the *public* email (null when hidden), so the primary verified address is read
 * from `/user/emails`; an email GitHub shows publicly must be verified on the account. The token response lists
 * scopes comma-separated. OAuth App tokens do not expire and there is no RFC 7009 endpoint.
 */
export const github = {
  displayName: 'GitHub',
  kind: 'oauth2',
  authorizationUrl: 'https://github.com/login/oauth/authorize',
  tokenUrl: 'https://github.com/login/oauth/access_token',
  userinfoUrl: 'https://api.github.com/user',
  scopes: { signin: ['read:user', 'user:email'] },
  pkce: true,
  // GitHub answers a bad code or a redirect_uri mismatch with HTTP 200 and {"error": "bad_verification_code"}.
  tokenErrorsWithStatus200: true,
  // The token response lists the granted scopes comma-separated (`"scope": "read:user,user:email"`).
  grantedScopeSeparator: ',',
  profile: (raw) => ({
    providerAccountId: String(raw.id),
    email: str(raw.email),
    emailVerified: typeof raw.email === 'string' && raw.email_verified !== false,
    name: str(raw.name) ?? str(raw.login),
    avatarUrl: str(raw.avatar_url),
  }),
  async fetchProfile(raw: Record<string, unknown>, get: ProviderGet, userinfoUrl: string) {
    if (typeof raw.email === 'string' && raw.email !== '') return raw;
    const emails = (await get(new URL('/user/emails', userinfoUrl).href)) as GitHubEmail[];
    const primary = Array.isArray(emails) ? emails.find((e) => e.primary && e.verified) : undefined;
    return { ...raw, email: primary?.email ?? null, email_verified: primary !== undefined };
  },
} satisfies ProviderPreset;
