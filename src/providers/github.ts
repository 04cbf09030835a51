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
 * scopes comma-separated. OAuth App tokens do not expire and there is no RFC 7009 endpoint: a token is revoked
 * with `DELETE /applications/{client_id}/token` on the REST API, authenticated with the app's id and secret.
 */
export const github = {
  displayName: 'GitHub',
  kind: 'oauth2',
  authorizationUrl: 'https://github.com/login/oauth/authorize',
  tokenUrl: 'https://github.com/login/oauth/access_token',
  userinfoUrl: 'https://api.github.com/user',
  // The base of the REST API's app-token endpoint (see `revoke`).
  revocationUrl: 'https://api.github.com/applications',
  scopes: { signin: ['read:user', 'user:email'] },
  pkce: true,
  // GitHub answers a bad code or a redirect_uri mismatch with HTTP 200 and {"error": "bad_verification_code"}.
  tokenErrorsWithStatus200: true,
  // The token response lists the granted scopes comma-separated (`"scope": "read:user,user:email"`).
  grantedScopeSeparator: ',',
  async revoke({ token, hint, clientId, clientSecret, revocationUrl, fetch }) {
    // OAuth App tokens have no refresh token; a GitHub App's refresh token dies with its access token.
    if (hint !== 'access_token') return false;
    const res = await fetch(`${revocationUrl.replace(/\/$/, '')}/${encodeURIComponent(clientId)}/token`, {
      method: 'DELETE',
      headers: {
        authorization: `Basic ${Buffer.from(`${clientId}:${clientSecret ?? ''}`).toString('base64')}`,
        accept: 'application/vnd.github+json',
        'content-type': 'application/json',
        'x-github-api-version': '2022-11-28',
        'user-agent': 'express-oauth-router',
      },
      body: JSON.stringify({ access_token: token }),
    });
    await res.body?.cancel();
    // 404: GitHub no longer knows the token (revoked already, or the user removed the app).
    if (res.status === 204 || res.status === 404) return true;
    throw new Error(`GitHub answered ${res.status} to the token revocation`);
  },
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
