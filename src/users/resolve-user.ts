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
 * Which user a completed login belongs to, decided without writing anything (so that the app's `onSignIn` hook
 * can still refuse it and leave nothing behind); {@link applyUserPlan} then writes what it needs.
 * - `existing`: the user the account is linked to.
 * - `link`: an existing user gets the account linked: the signed-in user (explicit linking), or, with
 *   `linkBy: 'verified-email'`, the user holding the same email *as verified*, when this provider verified it too.
 * - `create`: a new user.
 */
export type UserPlan =
  | { kind: 'existing'; user: OAuthUser }
  | { kind: 'link'; user: OAuthUser; reason: 'current' | 'email' }
  | { kind: 'create' };

/**
 * Decides which user a completed login belongs to; reads only.
 * - Signed in already: the provider account is connected to the current user (explicit linking), unless it
 *   belongs to someone else (`account_conflict`), or the current user already has another account of this
 *   provider (`account_mismatch`: whoever stood at the provider's login form was not this user, so their
 *   account must never be attached, and no second account of a provider is ever linked as a side effect).
 * - Otherwise the user the account is linked to; else, with `linkBy: 'verified-email'`, the user holding the same
 *   email *as verified*, when this provider verified it too; else a new user.
 * - An unverified email that an existing user holds as verified never links: `email_conflict`, or a separate
 *   user with `onEmailConflict: 'create'`.
 */
export async function planUser({
  users,
  profile,
  currentUserId,
  policy,
}: ResolveUserInput): Promise<UserPlan> {
  const owner = await users.findByAccount(profile);
  if (currentUserId !== undefined) return planLinkToCurrent(users, profile, owner, currentUserId);
  if (owner) return { kind: 'existing', user: owner };
  if (policy.linkBy === 'verified-email' && profile.email) {
    const holder = await users.findByVerifiedEmail(profile.email);
    if (holder && profile.emailVerified) return { kind: 'link', user: holder, reason: 'email' };
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
  return { kind: 'create' };
}

/**
 * Carries out a {@link UserPlan}: links or creates as decided, and settles the races a concurrent callback can
 * cause meanwhile.
 *
 * @returns The user the login belongs to.
 */
export async function applyUserPlan(
  users: UserRepository,
  profile: Profile,
  plan: UserPlan,
): Promise<OAuthUser> {
  switch (plan.kind) {
    case 'existing':
      return plan.user;
    case 'create':
      return users.createFromProfile(profile);
    case 'link':
      if (await users.linkAccount(plan.user.id, profile)) return plan.user;
      if (plan.reason === 'current') throw accountConflict(profile);
      // Lost a race: the account was linked meanwhile; whoever owns it now is the answer.
      return (await users.findByAccount(profile)) ?? users.createFromProfile(profile);
  }
}

async function planLinkToCurrent(
  users: UserRepository,
  profile: Profile,
  owner: OAuthUser | null,
  currentUserId: string,
): Promise<UserPlan> {
  const sameProvider = (await users.listAccounts(currentUserId)).filter(
    (a) => a.provider === profile.provider,
  );
  if (
    sameProvider.length > 0 &&
    !sameProvider.some((a) => a.providerAccountId === profile.providerAccountId)
  ) {
    throw new AccountMismatchError(profile.provider, describeAccount(await users.findById(currentUserId)));
  }
  if (owner && owner.id !== currentUserId) throw accountConflict(profile);
  if (owner) return { kind: 'existing', user: owner };
  const current = await users.findById(currentUserId);
  // The session's user vanished from the repository (deleted meanwhile): start a fresh account for this login.
  return current ? { kind: 'link', user: current, reason: 'current' } : { kind: 'create' };
}

function accountConflict(profile: Profile): OAuthRouterError {
  return new OAuthRouterError('account_conflict', `${profile.provider} account is linked to another user`, {
    provider: profile.provider,
  });
}

/** A hint at which account was expected that the person at the browser may see: masked email, else the name. */
export function describeAccount(user: OAuthUser | null): string | undefined {
  if (user?.email) {
    const at = user.email.lastIndexOf('@');
    if (at > 0) return `${user.email[0]}***${user.email.slice(at)}`;
  }
  return user?.name ?? undefined;
}
