import { type ProviderPreset, str } from './types.js';

/**
 * Slack, "Sign in with Slack" (OpenID Connect).
 *
 * Redirect URI to register (api.slack.com → Your Apps → OAuth & Permissions → Redirect URLs):
 * `<baseUrl>/auth/slack/callback`. Scopes: `openid email profile`. `email_verified` is a boolean claim.
 */
export const slack = {
  displayName: 'Slack',
  kind: 'oidc',
  issuer: () => 'https://slack.com',
  scopes: { signin: ['openid', 'email', 'profile'] },
  pkce: true,
  profile: (raw) => ({
    providerAccountId: String(raw.sub),
    email: str(raw.email),
    emailVerified: raw.email_verified === true,
    name: str(raw.name),
    avatarUrl: str(raw.picture),
  }),
} satisfies ProviderPreset;
