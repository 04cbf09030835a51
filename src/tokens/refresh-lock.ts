/**
 * A lock with a TTL, used so that one refresh of a connection runs at a time across every app instance.
 * A holder that dies releases nothing; its lock expires after the TTL and another caller takes over.
 */
export interface RefreshLock {
  /** @returns A token proving ownership, or null when someone else holds the lock. */
  acquire(key: string, ttlMs: number): Promise<string | null>;
  /** Releases the lock only if `token` still owns it (a holder whose lock expired must not free another's). */
  release(key: string, token: string): Promise<void>;
}
