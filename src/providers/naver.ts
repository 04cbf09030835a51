import { type ProviderPreset, str } from './types.js';

/**
 * Naver (OAuth 2.0).
 *
 * Redirect URI to register (Naver Developers → Application → API settings → Callback URL):
 * `<baseUrl>/auth/naver/callback`. Naver grants the profile fields chosen in the app settings; there are no scopes.
 * Naver does not say whether the email is verified, so `emailVerified` is false.
 */
export const naver = {
  displayName: 'Naver',
  kind: 'oauth2',
  authorizationUrl: 'https://nid.naver.com/oauth2.0/authorize',
  tokenUrl: 'https://nid.naver.com/oauth2.0/token',
  userinfoUrl: 'https://openapi.naver.com/v1/nid/me',
  scopes: { signin: [] },
  pkce: false,
  tokenEndpointAuthMethod: 'client_secret_post',
  profile: (raw) => {
    const user = (raw.response ?? {}) as Record<string, unknown>;
    return {
      providerAccountId: String(user.id),
      email: str(user.email),
      emailVerified: false,
      name: str(user.name) ?? str(user.nickname),
      avatarUrl: str(user.profile_image),
    };
  },
} satisfies ProviderPreset;
