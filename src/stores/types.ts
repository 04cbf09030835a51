/**
 * A small key-value store with expiry, used for short-lived protocol state (pending logins).
 * Implementations must make {@link KvStore.take} atomic: two concurrent `take`s of one key
 * return the value to at most one caller, which is what makes a login state single-use.
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
   * Atomically reads and deletes a value.
   * @returns The value, or `null` when missing, expired, or already taken by a concurrent caller.
   */
  take(key: string): Promise<string | null>;
  /** Deletes a value; deleting a missing key is not an error. */
  delete(key: string): Promise<void>;
}
