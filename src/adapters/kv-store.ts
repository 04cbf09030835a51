/**
 * adapters/: the only code that speaks to a driver. One folder per backend (memory/, redis/, postgres/), each
 * implementing the storage contracts (this file's KvStore, users/types.ts, tokens/types.ts, the refresh lock)
 * and turning an unreachable backend into `store_unavailable`. Nothing outside adapters/ imports ioredis at run
 * time or holds SQL (checked by `npm run lint:imports` and .ci/check-sql).
 */
/**
 * A small key-value store with expiry, used for short-lived protocol state (pending logins) and app sessions
 * (hashed exchange codes and bearer tokens).
 * Implementations must make {@link KvStore.take} atomic: two concurrent `take`s of one key
 * return the value to at most one caller, which is what makes a login state single-use; and
 * {@link KvStore.setIfAbsent} atomic: of concurrent calls for one key exactly one writes, which is what makes a
 * refresh token's reuse visible to whichever presentation loses a race.
 * Implementations throw an `OAuthRouterError` with code `store_unavailable` when their backend is unreachable.
 */
export interface KvStore {
  /**
   * Reads a value.
   * @param key - The full key.
   * @returns The value, or `null` when missing or expired.
   */
  get(key: string): Promise<string | null>;
  /**
   * Writes a value that expires after `ttlSeconds` (a whole number, at least 1), replacing any previous one.
   */
  set(key: string, value: string, ttlSeconds: number): Promise<void>;
  /**
   * Writes a value that expires after `ttlSeconds` only when the key holds none (missing or expired). Must be
   * atomic on the backend (Redis `SET … NX`, SQL `INSERT … ON CONFLICT DO NOTHING` over expired rows too): of
   * concurrent calls for one key exactly one returns `true`; every other call, until the value expires or is
   * deleted, returns `false` and leaves the stored value and its TTL unchanged.
   * @returns `true` when this call wrote the value.
   */
  setIfAbsent(key: string, value: string, ttlSeconds: number): Promise<boolean>;
  /**
   * Atomically reads and deletes a value.
   * @returns The value, or `null` when missing, expired, or already taken by a concurrent caller.
   */
  take(key: string): Promise<string | null>;
  /** Deletes a value; deleting a missing key is not an error. */
  delete(key: string): Promise<void>;
}
