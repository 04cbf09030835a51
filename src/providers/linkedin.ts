import { standardClaimsProfile } from './claims.js';
import type { ProviderPreset } from './types.js';

/**
 * LinkedIn, "Sign In with LinkedIn using OpenID Connect".
 *
 * Redirect URI to register (LinkedIn Developers → App → Auth → Authorized redirect URLs):
 * `<baseUrl>/auth/linkedin/callback`. Scopes: `openid profile email`.
 * Quirks: the token endpoint wants the secret in the body; PKCE is offered to native apps only; the token
 * response lists the granted scopes comma-separated.
 */
export const linkedin = {
  displayName: 'LinkedIn',
  kind: 'oidc',
  issuer: () => 'https://www.linkedin.com/oauth',
  scopes: { signin: ['openid', 'profile', 'email'] },
  pkce: false,
  tokenEndpointAuthMethod: 'client_secret_post',
  // The token response lists the granted scopes comma-separated (`"scope": "email,openid,profile"`).
  grantedScopeSeparator: ',',
  profile: (claims) => standardClaimsProfile(claims),
} satisfies ProviderPreset;
