import type { KvStore } from '../kv-store.js';

/**
 * In-process {@link KvStore} for development and tests. Not shared between processes and lost on
 * restart, which is why the configuration refuses it under NODE_ENV=production.
 *
 * @example
 * ```ts
 * oauthRouter({ ..., kvStore: new MemoryKvStore() });
 * ```
 */
export class MemoryKvStore implements KvStore {
  readonly #entries = new Map<string, { value: string; expiresAt: number }>();
  readonly #now: () => number;
  #lastSweep = 0;

  /** @param options - `now` replaces the clock (milliseconds), for tests of expiry. */
  constructor(options: { now?: () => number } = {}) {
    this.#now = options.now ?? Date.now;
  }

  async get(key: string): Promise<string | null> {
    return this.#live(key)?.value ?? null;
  }

  async set(key: string, value: string, ttlSeconds: number): Promise<void> {
    assertTtl(ttlSeconds);
    this.#sweep();
    this.#entries.set(key, { value, expiresAt: this.#now() + ttlSeconds * 1000 });
  }

  async setIfAbsent(key: string, value: string, ttlSeconds: number): Promise<boolean> {
    assertTtl(ttlSeconds);
    // Synchronous from the check to the write, so no other call can interleave in this process.
    if (this.#live(key)) return false;
    this.#sweep();
    this.#entries.set(key, { value, expiresAt: this.#now() + ttlSeconds * 1000 });
    return true;
  }

  async take(key: string): Promise<string | null> {
    // Map access is synchronous, so get-and-delete cannot interleave with another take in this process.
    const entry = this.#live(key);
    this.#entries.delete(key);
    return entry?.value ?? null;
  }

  async delete(key: string): Promise<void> {
    this.#entries.delete(key);
  }

  /**
   * Seconds until `key` expires, or null when it is missing. Introspection for tests and debugging, like
   * Redis's `TTL`; not part of {@link KvStore}.
   */
  remainingTtlSeconds(key: string): number | null {
    const entry = this.#live(key);
    return entry ? Math.ceil((entry.expiresAt - this.#now()) / 1000) : null;
  }

  #live(key: string): { value: string; expiresAt: number } | undefined {
    const entry = this.#entries.get(key);
    if (entry && entry.expiresAt <= this.#now()) {
      this.#entries.delete(key);
      return undefined;
    }
    return entry;
  }

  // Abandoned logins would otherwise accumulate forever; sweeping at most once a minute keeps set() O(1) amortised.
  #sweep(): void {
    const now = this.#now();
    if (now - this.#lastSweep < 60_000) return;
    this.#lastSweep = now;
    for (const [key, entry] of this.#entries) if (entry.expiresAt <= now) this.#entries.delete(key);
  }
}

/** Shared argument check: a TTL of 0 or a fraction would mean "never expires" in some backends. */
export function assertTtl(ttlSeconds: number): void {
  if (!Number.isInteger(ttlSeconds) || ttlSeconds < 1) {
    throw new RangeError(`ttlSeconds must be a whole number >= 1, got ${ttlSeconds}`);
  }
}
