import { type MappedProfile, str } from './types.js';

/**
 * The standard OpenID Connect claims as a profile (OIDC Core §5.1): `sub`, `email` with `email_verified` (a
 * boolean, or the string "true" some providers send), `name` (or given + family name, or preferred_username),
 * `picture`. Used by the generic OIDC provider and the presets that need nothing more.
 */
export function standardClaimsProfile(claims: Record<string, unknown>): MappedProfile {
  const given = [str(claims.given_name), str(claims.family_name)].filter(Boolean).join(' ');
  return {
    providerAccountId: String(claims.sub),
    email: str(claims.email),
    emailVerified: claims.email_verified === true || claims.email_verified === 'true',
    name: str(claims.name) ?? (given || null) ?? str(claims.preferred_username),
    avatarUrl: str(claims.picture),
  };
}

/** Login parameters of a bot install (Discord, Fluxer): the guild to add the bot to and its permission bits. */
export const BOT_INSTALL_PARAMS: Readonly<Record<string, RegExp>> = {
  guild_id: /^\d{1,20}$/,
  permissions: /^\d{1,20}$/,
  disable_guild_select: /^(true|false)$/,
};
