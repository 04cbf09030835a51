import { type ProviderPreset, str } from './types.js';

/**
 * Kakao (OAuth 2.0).
 *
 * Redirect URI to register (Kakao Developers → App → Kakao Login → Redirect URI): `<baseUrl>/auth/kakao/callback`.
 * Scopes: `account_email profile_nickname profile_image`.
 * Quirk: the email counts as verified only when Kakao says it is both valid and verified
 * (`kakao_account.is_email_valid && is_email_verified`).
 */
export const kakao = {
  displayName: 'Kakao',
  kind: 'oauth2',
  authorizationUrl: 'https://kauth.kakao.com/oauth/authorize',
  tokenUrl: 'https://kauth.kakao.com/oauth/token',
  userinfoUrl: 'https://kapi.kakao.com/v2/user/me',
  scopes: { signin: ['account_email', 'profile_nickname', 'profile_image'] },
  pkce: false,
  tokenEndpointAuthMethod: 'client_secret_post',
  profile: (raw) => {
    const account = (raw.kakao_account ?? {}) as Record<string, unknown>;
    const profile = (account.profile ?? {}) as Record<string, unknown>;
    return {
      providerAccountId: String(raw.id),
      email: str(account.email),
      emailVerified: account.is_email_valid === true && account.is_email_verified === true,
      name: str(profile.nickname),
      avatarUrl: str(profile.profile_image_url),
    };
  },
} satisfies ProviderPreset;
