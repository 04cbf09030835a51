import { OAuthRouterError } from '../errors.js';
import type { Profile } from '../providers/types.js';
import type { OAuthUser, UserRepository } from '../users/types.js';

/** Inputs of {@link resolveUser}. */
export interface ResolveUserInput {
  users: UserRepository;
  profile: Profile;
  /** The user already signed in on this browser, if any: a login then connects the provider to them. */
  currentUserId: string | undefined;
}

/**
 * Decides which user a completed login belongs to. Signed in already: the provider account is connected to the
 * current user (explicit linking), unless it belongs to someone else (`account_conflict`). Not signed in: the
 * user the account is linked to, or a new user.
 */
export async function resolveUser({ users, profile, currentUserId }: ResolveUserInput): Promise<OAuthUser> {
  const owner = await users.findByAccount(profile);
  if (currentUserId === undefined) return owner ?? users.createFromProfile(profile);
  const conflict = () =>
    new OAuthRouterError('account_conflict', `${profile.provider} account is linked to another user`, {
      provider: profile.provider,
    });
  if (owner && owner.id !== currentUserId) throw conflict();
  if (!owner && !(await users.linkAccount(currentUserId, profile))) throw conflict();
  const current = await users.findById(currentUserId);
  // The session's user vanished from the repository (deleted meanwhile): start a fresh account for this login.
  return current ?? users.createFromProfile(profile);
}
