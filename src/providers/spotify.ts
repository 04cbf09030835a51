import { type ProviderPreset, str } from './types.js';

/**
 * Spotify (OAuth 2.0).
 *
 * Redirect URI to register (developer.spotify.com → Dashboard → App → Redirect URIs): `<baseUrl>/auth/spotify/callback`.
 * Scopes: `user-read-email user-read-private`. Spotify does not verify emails, so `emailVerified` is false.
 */
export const spotify = {
  displayName: 'Spotify',
  kind: 'oauth2',
  authorizationUrl: 'https://accounts.spotify.com/authorize',
  tokenUrl: 'https://accounts.spotify.com/api/token',
  userinfoUrl: 'https://api.spotify.com/v1/me',
  scopes: { signin: ['user-read-email', 'user-read-private'] },
  pkce: true,
  profile: (raw) => {
    const images = Array.isArray(raw.images) ? (raw.images as { url?: unknown }[]) : [];
    return {
      providerAccountId: String(raw.id),
      email: str(raw.email),
      emailVerified: false,
      name: str(raw.display_name) ?? str(raw.id),
      avatarUrl: str(images[0]?.url),
    };
  },
} satisfies ProviderPreset;
