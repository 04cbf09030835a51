import { type ProviderPreset, str } from './types.js';

/**
 * Facebook Login (OAuth 2.0, Graph API v21.0).
 *
 * Redirect URI to register (developers.facebook.com → App → Facebook Login → Settings → Valid OAuth Redirect
 * URIs): `<baseUrl>/auth/facebook/callback`. Scopes: `email public_profile`.
 * Facebook does not say whether the email is verified, so `emailVerified` is false.
 */
export const facebook = {
  displayName: 'Facebook',
  kind: 'oauth2',
  authorizationUrl: 'https://www.facebook.com/v21.0/dialog/oauth',
  tokenUrl: 'https://graph.facebook.com/v21.0/oauth/access_token',
  userinfoUrl: 'https://graph.facebook.com/v21.0/me?fields=id,name,email,picture',
  scopes: { signin: ['email', 'public_profile'] },
  pkce: true,
  tokenEndpointAuthMethod: 'client_secret_post',
  profile: (raw) => {
    const picture = (raw.picture as { data?: { url?: unknown } } | undefined)?.data?.url;
    return {
      providerAccountId: String(raw.id),
      email: str(raw.email),
      emailVerified: false,
      name: str(raw.name),
      avatarUrl: str(picture),
    };
  },
} satisfies ProviderPreset;
