/**
 * A user's profile at a provider, normalised to the same shape for every provider.
 */
export interface Profile {
  /** The provider key (`providers.<name>`). */
  provider: string;
  /** The user's stable id at the provider (OIDC `sub`). */
  providerAccountId: string;
  /** Email address, or null when the provider gave none. */
  email: string | null;
  /** True only when the provider asserts it verified the email. Account linking trusts nothing else. */
  emailVerified: boolean;
  /** Display name, or null. */
  name: string | null;
  /** Avatar URL, or null. */
  avatarUrl: string | null;
  /** The claims as the provider sent them (id_token merged with UserInfo). Not stored in the session. */
  raw: Record<string, unknown>;
}
