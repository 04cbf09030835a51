/**
 * users/: the domain of application users: the user repository contract, building a user from a profile, and
 * resolving who a sign-in belongs to (find, create, or link by verified email). No driver code (adapters/).
 */
import type { Profile } from '../providers/types.js';

/** An application user, as the user repository keeps it and the session carries it (`req.user`). */
export interface OAuthUser {
  /** Opaque id assigned by the repository. */
  id: string;
  name: string | null;
  email: string | null;
  emailVerified: boolean;
  avatarUrl: string | null;
  /** ISO 8601 creation time. */
  createdAt: string;
  /**
   * What `hooks.onSignIn` returned as `data` for this sign-in: kept with the session's user (cookie and app
   * sessions), never in the user repository.
   */
  data?: Record<string, unknown>;
}

/** A provider account linked to a user. */
export interface LinkedAccount {
  provider: string;
  providerAccountId: string;
}

/**
 * Where users and their linked provider accounts live. Implement it to keep users in your own database;
 * run `describeUserRepositoryContract` from the tests against your implementation.
 * Implementations throw an `OAuthRouterError` with code `store_unavailable` when their backend is unreachable.
 */
export interface UserRepository {
  /** @returns The user, or null when there is none with this id. */
  findById(id: string): Promise<OAuthUser | null>;
  /** @returns The user the provider account is linked to, or null. */
  findByAccount(account: LinkedAccount): Promise<OAuthUser | null>;
  /**
   * @param email - Compared case-insensitively.
   * @returns The user whose *verified* email this is, or null. Unverified emails are never indexed.
   */
  findByVerifiedEmail(email: string): Promise<OAuthUser | null>;
  /**
   * Creates a user from a profile and links the profile's account to it. Must be safe under concurrency:
   * when the account was linked meanwhile (two callbacks racing), returns the user it is linked to instead.
   */
  createFromProfile(profile: Profile): Promise<OAuthUser>;
  /**
   * Links a provider account to an existing user. Linking an account already linked to the same user is a
   * no-op; an account linked to another user is left as it is and the call returns false.
   * @returns true when the account is (now) linked to `userId`.
   */
  linkAccount(userId: string, account: LinkedAccount): Promise<boolean>;
  /** @returns The accounts linked to the user, in linking order. */
  listAccounts(userId: string): Promise<LinkedAccount[]>;
  /**
   * Removes every link between the user and accounts of `provider`, so signing in with them no longer reaches
   * this user (a later sign-in with one creates or finds another user, as the account policy says). Optional:
   * `router.users.unlink()` needs it; the three built-in repositories have it.
   * @returns The accounts that were unlinked (none when there were none).
   */
  unlinkProvider?(userId: string, provider: string): Promise<LinkedAccount[]>;
  /**
   * Deletes the user, its links and its verified-email entry; deleting a missing user is not an error.
   * Optional: `router.users.delete()` needs it; the three built-in repositories have it.
   */
  deleteUser?(userId: string): Promise<void>;
}
