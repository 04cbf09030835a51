import { standardClaimsProfile } from './claims.js';
import type { ProviderPreset } from './types.js';

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
  profile: (claims) => standardClaimsProfile(claims),
} satisfies ProviderPreset;
