import type { AppUser, HookOptions, SignInVerdict } from '../config/types.js';
import { AccountMismatchError, OAuthRouterError, SignInDeniedError } from '../errors.js';
import type { Profile } from '../providers/types.js';
import { applyUserPlan, describeAccount, planUser, type ResolveUserInput } from './resolve-user.js';
import type { OAuthUser, UserRepository } from './types.js';

/** Inputs of {@link signInUser}. */
export interface SignInUserInput {
  users: UserRepository;
  hooks: HookOptions;
  policy: ResolveUserInput['policy'];
  profile: Profile;
  grantedScopes: string[];
  /** The signed-in user this login connects the provider to, if it is an explicit link. */
  currentUser: OAuthUser | undefined;
}

/** Who signed in, and how: a `new` user, a `returning` one, or a provider account `linked` to an existing user. */
export interface SignedInUser {
  user: OAuthUser;
  kind: 'new' | 'returning' | 'linked';
}

/**
 * Settles who a completed login signs in, with the app's hooks: decide (reading only), ask `onSignIn`, and only
 * then write (create or link). A deny therefore leaves nothing behind. With `findOrCreateUser` the app's own
 * table decides instead of the user repository.
 *
 * @returns The user to put in the session (with the `data` `onSignIn` returned), and how they signed in.
 * @throws SignInDeniedError when the app refuses the sign-in.
 */
export async function signInUser(input: SignInUserInput): Promise<SignedInUser> {
  const { users, hooks, profile } = input;
  const plan = hooks.findOrCreateUser
    ? undefined
    : await planUser({ users, profile, currentUserId: input.currentUser?.id, policy: input.policy });
  const verdict = hooks.onSignIn
    ? checkVerdict(
        await hooks.onSignIn({
          provider: profile.provider,
          profile,
          grantedScopes: input.grantedScopes,
          isNewUser: plan ? plan.kind === 'create' : null,
          user: plan && plan.kind !== 'create' ? plan.user : null,
          linking: plan?.kind === 'link',
        }),
      )
    : undefined;
  if (verdict && 'deny' in verdict) throw new SignInDeniedError(verdict.deny, profile.provider);
  const user = plan
    ? await applyUserPlan(users, profile, plan)
    : await appUser(hooks, profile, input.currentUser);
  // With findOrCreateUser the app's table decides: a login while signed in links, any other is "returning".
  const kind = plan
    ? ({ create: 'new', link: 'linked', existing: 'returning' } as const)[plan.kind]
    : input.currentUser
      ? 'linked'
      : 'returning';
  return { user: verdict && 'data' in verdict ? { ...user, data: verdict.data } : user, kind };
}

// A hook's answer is the app's code: one that does not match the contract is a bug to name, not to guess at.
function checkVerdict(verdict: unknown): SignInVerdict {
  if (verdict === undefined || verdict === null) return undefined;
  if (typeof verdict === 'object') {
    const answer = verdict as Record<string, unknown>;
    if (typeof answer.deny === 'string' && answer.deny !== '') return { deny: answer.deny };
    const data = answer.data;
    if (typeof data === 'object' && data !== null && !Array.isArray(data) && !('deny' in answer)) {
      return { data: data as Record<string, unknown> };
    }
  }
  throw new OAuthRouterError(
    'internal_error',
    'hooks.onSignIn must return undefined, { deny: "<message for the user>" } or { data: { … } }',
  );
}

async function appUser(
  hooks: HookOptions,
  profile: Profile,
  currentUser: OAuthUser | undefined,
): Promise<OAuthUser> {
  const found: unknown = await hooks.findOrCreateUser?.(profile, { currentUserId: currentUser?.id });
  const id = typeof found === 'object' && found !== null ? (found as { id?: unknown }).id : undefined;
  if (typeof id !== 'string' || id === '') {
    throw new OAuthRouterError(
      'internal_error',
      'hooks.findOrCreateUser must return the user with a non-empty string id, e.g. { id: String(row.id) }',
    );
  }
  // Signed in already: this login connects a provider to that user, so the app's table must say it is them.
  if (currentUser && id !== currentUser.id) {
    throw new AccountMismatchError(profile.provider, describeAccount(currentUser));
  }
  const mapped = found as AppUser;
  return {
    id,
    name: mapped.name ?? profile.name,
    email: mapped.email ?? profile.email,
    emailVerified: mapped.emailVerified ?? (mapped.email === undefined ? profile.emailVerified : false),
    avatarUrl: mapped.avatarUrl ?? profile.avatarUrl,
    createdAt: mapped.createdAt ?? new Date().toISOString(),
  };
}
