import { AccountMismatchError, OAuthRouterError } from '../errors.js';
import type { Profile } from '../providers/types.js';
import type { OAuthUser, UserRepository } from './types.js';

/** Inputs of {@link resolveUser}. */
export interface ResolveUserInput {
  users: UserRepository;
  profile: Profile;
  /** The user already signed in on this browser, if any: a login then connects the provider to them. */
  currentUserId: string | undefined;
  /** The configured linking policy. */
  policy: { linkBy: 'verified-email' | 'none'; onEmailConflict: 'error' | 'create' };
}

/**
 * Decides which user a completed login belongs to.
 * - Signed in already: the provider account is connected to the current user (explicit linking), unless it
 *   belongs to someone else (`account_conflict`), or the current user already has another account of this
 *   provider (`account_mismatch`: whoever stood at the provider's login form was not this user, so their
 *   account must never be attached, and no second account of a provider is ever linked as a side effect).
 * - Otherwise the user the account is linked to; else, with `linkBy: 'verified-email'`, the user holding the same
 *   email *as verified*, when this provider verified it too; else a new user.
 * - An unverified email that an existing user holds as verified never links: `email_conflict`, or a separate
 *   user with `onEmailConflict: 'create'`.
 */
export async function resolveUser({
  users,
  profile,
  currentUserId,
  policy,
}: ResolveUserInput): Promise<OAuthUser> {
  const owner = await users.findByAccount(profile);
  if (currentUserId !== undefined) return linkToCurrent(users, profile, owner, currentUserId);
  if (owner) return owner;
  if (policy.linkBy === 'verified-email' && profile.email) {
    const holder = await users.findByVerifiedEmail(profile.email);
    if (holder && profile.emailVerified) {
      if (await users.linkAccount(holder.id, profile)) return holder;
      // Lost a race: the account was linked meanwhile; whoever owns it now is the answer.
      return (await users.findByAccount(profile)) ?? users.createFromProfile(profile);
    }
    if (holder && policy.onEmailConflict === 'error') {
      throw new OAuthRouterError(
        'email_conflict',
        `${profile.provider} gave an unverified email that another user holds`,
        {
          provider: profile.provider,
        },
      );
    }
  }
  return users.createFromProfile(profile);
}

async function linkToCurrent(
  users: UserRepository,
  profile: Profile,
  owner: OAuthUser | null,
  currentUserId: string,
): Promise<OAuthUser> {
  const conflict = () =>
    new OAuthRouterError('account_conflict', `${profile.provider} account is linked to another user`, {
      provider: profile.provider,
    });
  const sameProvider = (await users.listAccounts(currentUserId)).filter(
    (a) => a.provider === profile.provider,
  );
  if (
    sameProvider.length > 0 &&
    !sameProvider.some((a) => a.providerAccountId === profile.providerAccountId)
  ) {
    throw new AccountMismatchError(profile.provider, describeAccount(await users.findById(currentUserId)));
  }
  if (owner && owner.id !== currentUserId) throw conflict();
  if (!owner && !(await users.linkAccount(currentUserId, profile))) throw conflict();
  const current = owner ?? (await users.findById(currentUserId));
  // The session's user vanished from the repository (deleted meanwhile): start a fresh account for this login.
  return current ?? users.createFromProfile(profile);
}

/** A hint at which account was expected that the person at the browser may see: masked email, else the name. */
export function describeAccount(user: OAuthUser | null): string | undefined {
  if (user?.email) {
    const at = user.email.lastIndexOf('@');
    if (at > 0) return `${user.email[0]}***${user.email.slice(at)}`;
  }
  return user?.name ?? undefined;
}
