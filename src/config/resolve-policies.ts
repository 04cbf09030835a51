import { rejectUnknownKeys } from './checks.js';
import { DEFAULTS, LIMITS } from './defaults.js';
import { ACCOUNT_KEYS, HOOK_KEYS, RATE_LIMIT_KEYS, REFRESH_KEYS } from './option-keys.js';
import type { OAuthRouterOptions, ResolvedConfig } from './types.js';

/**
 * Resolves `stateTtlSeconds`, the lifetime of a pending login.
 *
 * @param input - `stateTtlSeconds` as the app passed it.
 * @param problems - Where problems are collected.
 * @returns The lifetime in seconds.
 */
export function resolveStateTtl(input: OAuthRouterOptions['stateTtlSeconds'], problems: string[]): number {
  const stateTtlSeconds = input ?? DEFAULTS.stateTtlSeconds;
  if (
    !Number.isInteger(stateTtlSeconds) ||
    stateTtlSeconds < 1 ||
    stateTtlSeconds > LIMITS.maxStateTtlSeconds
  ) {
    problems.push(
      `stateTtlSeconds must be a whole number from 1 to ${LIMITS.maxStateTtlSeconds}: default is ${DEFAULTS.stateTtlSeconds}`,
    );
  }
  return stateTtlSeconds;
}

/**
 * Resolves `accounts`, the policy by which sign-ins from several providers become one user.
 *
 * @param input - `accounts` as the app passed it.
 * @param problems - Where problems are collected.
 * @returns The linking policy.
 */
export function resolveAccounts(
  input: OAuthRouterOptions['accounts'],
  problems: string[],
): ResolvedConfig['accounts'] {
  const accounts = {
    linkBy: input?.linkBy ?? DEFAULTS.accounts.linkBy,
    onEmailConflict: input?.onEmailConflict ?? DEFAULTS.accounts.onEmailConflict,
  } as const;
  if (input !== undefined) rejectUnknownKeys(input, ACCOUNT_KEYS, 'accounts.', problems);
  if (accounts.linkBy !== 'verified-email' && accounts.linkBy !== 'none') {
    problems.push('accounts.linkBy must be "verified-email" or "none"');
  }
  if (accounts.onEmailConflict !== 'error' && accounts.onEmailConflict !== 'create') {
    problems.push('accounts.onEmailConflict must be "error" or "create"');
  }
  return accounts;
}

/**
 * Resolves `rateLimit` of the auth routes.
 *
 * @param input - `rateLimit` as the app passed it; `false` turns it off.
 * @param problems - Where problems are collected.
 * @returns The window and budget, or false.
 */
export function resolveRateLimit(
  input: OAuthRouterOptions['rateLimit'],
  problems: string[],
): ResolvedConfig['rateLimit'] {
  if (input === false) return false;
  if (input !== undefined) rejectUnknownKeys(input, RATE_LIMIT_KEYS, 'rateLimit.', problems);
  const windowSeconds = input?.windowSeconds ?? DEFAULTS.rateLimit.windowSeconds;
  const max = input?.max ?? DEFAULTS.rateLimit.max;
  if (
    !Number.isInteger(windowSeconds) ||
    windowSeconds < 1 ||
    windowSeconds > LIMITS.maxRateLimitWindowSeconds
  ) {
    problems.push(
      `rateLimit.windowSeconds must be a whole number from 1 to ${LIMITS.maxRateLimitWindowSeconds}: default is ${DEFAULTS.rateLimit.windowSeconds}`,
    );
  }
  if (!Number.isInteger(max) || max < 1)
    problems.push(`rateLimit.max must be a whole number >= 1: default is ${DEFAULTS.rateLimit.max}`);
  return { windowSeconds, max };
}

/**
 * Resolves `refresh`, the timing of token refresh.
 *
 * @param input - `refresh` as the app passed it.
 * @param problems - Where problems are collected.
 * @returns The skew in seconds and the lock lifetime in milliseconds.
 */
export function resolveRefresh(
  input: OAuthRouterOptions['refresh'],
  problems: string[],
): ResolvedConfig['refresh'] {
  const skewSeconds = input?.skewSeconds ?? DEFAULTS.refresh.skewSeconds;
  const lockTtlSeconds = input?.lockTtlSeconds ?? DEFAULTS.refresh.lockTtlSeconds;
  if (input !== undefined) rejectUnknownKeys(input, REFRESH_KEYS, 'refresh.', problems);
  if (!Number.isInteger(skewSeconds) || skewSeconds < 0 || skewSeconds > LIMITS.maxRefreshSkewSeconds) {
    problems.push(
      `refresh.skewSeconds must be a whole number from 0 to ${LIMITS.maxRefreshSkewSeconds}: default is ${DEFAULTS.refresh.skewSeconds}`,
    );
  }
  if (
    typeof lockTtlSeconds !== 'number' ||
    !(lockTtlSeconds > 0) ||
    lockTtlSeconds > LIMITS.maxRefreshLockTtlSeconds
  ) {
    problems.push(
      `refresh.lockTtlSeconds must be a number above 0 and at most ${LIMITS.maxRefreshLockTtlSeconds}: default is ${DEFAULTS.refresh.lockTtlSeconds} (longer than a slow token request)`,
    );
  }
  return { skewSeconds, lockTtlMs: Math.round(lockTtlSeconds * 1000) };
}

/**
 * Resolves `hooks`: each must be a function when given.
 *
 * @param input - `hooks` as the app passed it.
 * @param problems - Where problems are collected.
 * @returns The hooks.
 */
export function resolveHooks(
  input: OAuthRouterOptions['hooks'],
  problems: string[],
): ResolvedConfig['hooks'] {
  if (input === undefined) return {};
  if (typeof input !== 'object' || input === null) {
    problems.push('hooks must be an object: { onSignIn?, findOrCreateUser?, allowAppConnection? }');
    return {};
  }
  rejectUnknownKeys(input, HOOK_KEYS, 'hooks.', problems);
  for (const name of HOOK_KEYS) {
    const hook: unknown = (input as Record<string, unknown>)[name];
    if (hook !== undefined && typeof hook !== 'function') problems.push(`hooks.${name} must be a function`);
  }
  return { ...input };
}
