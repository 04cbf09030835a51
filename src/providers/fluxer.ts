import { BOT_INSTALL_PARAMS } from './claims.js';
import { type ProviderPreset, str } from './types.js';

/**
 * Fluxer (OAuth 2.0).
 *
 * Redirect URI to register (User Settings → Applications → OAuth2 → Redirect URIs): `<baseUrl>/auth/fluxer/callback`.
 * Scopes: `identify email`; also `guilds`, `connections`, `bot` and `admin`. Quirks: the token endpoint takes a
 * JSON body; refresh tokens are single-use (rotation is followed); a bot install passes `guild_id` and
 * `permissions` through the login route (`/auth/fluxer/login?scope=bot&guild_id=…&permissions=…`); bot-only apps
 * use the client-credentials grant (`router.clientCredentials('fluxer', ['bot'])`). The email counts as verified
 * when the user's `verified` flag says so. Every endpoint can be overridden (`authorizationUrl`, `tokenUrl`, …).
 */
export const fluxer = {
  displayName: 'Fluxer',
  kind: 'oauth2',
  authorizationUrl: 'https://web.fluxer.app/oauth2/authorize',
  tokenUrl: 'https://api.fluxer.app/v1/oauth2/token',
  userinfoUrl: 'https://api.fluxer.app/v1/users/@me',
  revocationUrl: 'https://api.fluxer.app/v1/oauth2/token/revoke',
  scopes: { signin: ['identify', 'email'] },
  pkce: true,
  tokenEndpointAuthMethod: 'client_secret_post',
  tokenRequestFormat: 'json',
  loginParams: BOT_INSTALL_PARAMS,
  profile: (raw) => ({
    providerAccountId: String(raw.id),
    email: str(raw.email),
    emailVerified: raw.verified === true && typeof raw.email === 'string',
    name: str(raw.global_name) ?? str(raw.username),
    avatarUrl: null,
  }),
} satisfies ProviderPreset;
