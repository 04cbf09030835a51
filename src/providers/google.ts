import { standardClaimsProfile } from './claims.js';
import type { ProviderPreset } from './types.js';

/**
 * Google (OpenID Connect).
 *
 * Redirect URI to register (Google Cloud Console → Credentials → OAuth client → Authorized redirect URIs):
 * `<baseUrl>/auth/google/callback`. Scopes: `openid email profile`.
 * Quirk: Google issues a refresh token only with `access_type=offline`, and only when the user sees the consent
 * screen (their first authorization, or `prompt=consent`). Integration mode always sends `access_type=offline`,
 * and consent only when no refresh token is held (see routes/consent.ts). `email_verified` is a boolean claim.
 */
export const google = {
  displayName: 'Google',
  kind: 'oidc',
  issuer: () => 'https://accounts.google.com',
  scopes: { signin: ['openid', 'email', 'profile'] },
  authorizationParams: { integration: { access_type: 'offline', prompt: 'consent' } },
  pkce: true,
  refreshTokenOnFirstConsent: true,
  refreshTokenHint:
    'Google sends one only with access_type=offline (integration mode sets it) and only when the user sees the consent screen; if you set authorizationParams.prompt yourself, keep consent in it, or have the user remove the app at https://myaccount.google.com/permissions and connect again.',
  profile: (claims) => standardClaimsProfile(claims),
} satisfies ProviderPreset;
