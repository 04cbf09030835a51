import { type ProviderPreset, str } from './types.js';

function data(raw: Record<string, unknown>): Record<string, unknown> {
  return typeof raw.data === 'object' && raw.data !== null ? (raw.data as Record<string, unknown>) : raw;
}

/**
 * X, formerly Twitter (OAuth 2.0 with PKCE, confidential client).
 *
 * Redirect URI to register (Developer Portal → App → User authentication settings → Callback URI):
 * `<baseUrl>/auth/x/callback`. Scopes: `users.read tweet.read`; integration adds `offline.access` (X's
 * spelling) for a refresh token. X returns no verified email through this API, so `emailVerified` is false.
 */
export const x = {
  displayName: 'X',
  kind: 'oauth2',
  authorizationUrl: 'https://x.com/i/oauth2/authorize',
  tokenUrl: 'https://api.x.com/2/oauth2/token',
  userinfoUrl: 'https://api.x.com/2/users/me?user.fields=profile_image_url',
  revocationUrl: 'https://api.x.com/2/oauth2/revoke',
  scopes: {
    signin: ['users.read', 'tweet.read'],
    integration: ['users.read', 'tweet.read', 'offline.access'],
  },
  pkce: true,
  refreshTokenHint:
    'X sends one only for the offline.access scope (integration mode asks for it); check that your scopes include it.',
  tokenEndpointAuthMethod: 'client_secret_basic',
  profile: (raw) => {
    const user = data(raw);
    return {
      providerAccountId: String(user.id),
      email: null,
      emailVerified: false,
      name: str(user.name) ?? str(user.username),
      avatarUrl: str(user.profile_image_url),
    };
  },
} satisfies ProviderPreset;
