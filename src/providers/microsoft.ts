import { type ProviderPreset, str } from './types.js';

/** The tenant id of personal Microsoft accounts, whose addresses Microsoft verifies. */
const CONSUMER_TENANT = '9188040d-6c67-4c5b-b112-36a304b66dad';

/**
 * Microsoft Entra ID (OpenID Connect), v2.0 endpoints. Option `tenant`: `common` (default), `organizations`,
 * `consumers`, or a tenant id/domain for a single-tenant app. openid-client resolves the `{tenantid}` issuer
 * template of the multi-tenant endpoints against each token's `tid`.
 *
 * Redirect URI to register (Entra admin center → App registrations → Authentication → Web):
 * `<baseUrl>/auth/microsoft/callback`. Scopes: `openid profile email`; integration adds `offline_access User.Read`.
 *
 * Security quirk: in work/school tenants the `email` claim is an attribute administrators can set to any
 * address, so it is trusted as verified only for personal accounts or when Microsoft marks the domain as
 * verified (optional claim `xms_edov`). Linking by a plain Entra `email` is how the "nOAuth" account takeover
 * worked.
 */
export const microsoft = {
  displayName: 'Microsoft',
  kind: 'oidc',
  issuer: (options) => `https://login.microsoftonline.com/${options.tenant ?? 'common'}/v2.0`,
  scopes: {
    signin: ['openid', 'profile', 'email'],
    integration: ['openid', 'profile', 'email', 'offline_access', 'User.Read'],
  },
  pkce: true,
  refreshTokenHint:
    'Microsoft sends one only when the offline_access scope is granted (integration mode asks for it); check that your scopes include it and that the tenant admin has not blocked it.',
  profile: (raw) => ({
    providerAccountId: String(raw.sub),
    email: str(raw.email),
    emailVerified:
      typeof raw.email === 'string' &&
      (raw.tid === CONSUMER_TENANT || raw.xms_edov === true || raw.xms_edov === '1'),
    name: str(raw.name),
    avatarUrl: null,
  }),
} satisfies ProviderPreset;
