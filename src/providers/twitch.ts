import { type ProviderPreset, str } from './types.js';

/**
 * Twitch (OpenID Connect).
 *
 * Redirect URI to register (dev.twitch.tv → Console → Applications → OAuth Redirect URLs):
 * `<baseUrl>/auth/twitch/callback`. Scopes: `openid user:read:email`.
 * Quirks: Twitch puts email and picture in the id_token/UserInfo only when asked with the `claims` parameter;
 * its token endpoint takes the secret in the body (client_secret_post).
 */
export const twitch = {
  displayName: 'Twitch',
  kind: 'oidc',
  issuer: () => 'https://id.twitch.tv/oauth2',
  scopes: { signin: ['openid', 'user:read:email'] },
  authorizationParams: {
    signin: {
      claims: JSON.stringify({
        id_token: { email: null, email_verified: null, preferred_username: null, picture: null },
        userinfo: { email: null, email_verified: null, preferred_username: null, picture: null },
      }),
    },
  },
  // Twitch does not document PKCE for confidential clients; state, nonce and the binding cookie protect the code.
  pkce: false,
  tokenEndpointAuthMethod: 'client_secret_post',
  profile: (raw) => ({
    providerAccountId: String(raw.sub),
    email: str(raw.email),
    emailVerified: raw.email_verified === true,
    name: str(raw.preferred_username),
    avatarUrl: str(raw.picture),
  }),
} satisfies ProviderPreset;
