import { BOT_INSTALL_PARAMS } from './claims.js';
import { type ProviderPreset, str } from './types.js';

/**
 * Discord (OAuth 2.0).
 *
 * Redirect URI to register (Developer Portal → Applications → OAuth2 → Redirects): `<baseUrl>/auth/discord/callback`.
 * Scopes: `identify email`. The user's `verified` flag says whether the email is verified.
 */
export const discord = {
  displayName: 'Discord',
  kind: 'oauth2',
  authorizationUrl: 'https://discord.com/oauth2/authorize',
  tokenUrl: 'https://discord.com/api/oauth2/token',
  userinfoUrl: 'https://discord.com/api/users/@me',
  revocationUrl: 'https://discord.com/api/oauth2/token/revoke',
  scopes: { signin: ['identify', 'email'] },
  pkce: true,
  // A bot install (`scope=bot`) names the guild and permissions at the login route.
  loginParams: BOT_INSTALL_PARAMS,
  profile: (raw) => ({
    providerAccountId: String(raw.id),
    email: str(raw.email),
    emailVerified: raw.verified === true && typeof raw.email === 'string',
    name: str(raw.global_name) ?? str(raw.username),
    avatarUrl:
      typeof raw.avatar === 'string'
        ? `https://cdn.discordapp.com/avatars/${raw.id}/${raw.avatar}.png`
        : null,
  }),
} satisfies ProviderPreset;
