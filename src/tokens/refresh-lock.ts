import { randomBytes } from 'node:crypto';
import type { RedisClient } from '../adapters/redis/client.js';
import { guard } from '../adapters/redis/kv-store.js';

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

const RELEASE_IF_OWNER = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

/** {@link RefreshLock} on Redis: `SET key token NX PX ttl`, released by a compare-and-delete script. */
export class RedisRefreshLock implements RefreshLock {
  readonly #client: RedisClient;

  /** @param client - An ioredis client; never opened or closed here. */
  constructor(client: RedisClient) {
    this.#client = client;
  }

  async acquire(key: string, ttlMs: number): Promise<string | null> {
    const token = randomBytes(16).toString('base64url');
    const ok = await guard(() => this.#client.set(key, token, 'PX', ttlMs, 'NX'));
    return ok === 'OK' ? token : null;
  }

  async release(key: string, token: string): Promise<void> {
    await guard(() => this.#client.eval(RELEASE_IF_OWNER, 1, key, token));
  }
}

/** In-process {@link RefreshLock}, for the in-memory (single-process) configuration. */
export class MemoryRefreshLock implements RefreshLock {
  readonly #held = new Map<string, { token: string; expiresAt: number }>();

  async acquire(key: string, ttlMs: number): Promise<string | null> {
    const held = this.#held.get(key);
    if (held && held.expiresAt > Date.now()) return null;
    const token = randomBytes(16).toString('base64url');
    this.#held.set(key, { token, expiresAt: Date.now() + ttlMs });
    return token;
  }

  async release(key: string, token: string): Promise<void> {
    if (this.#held.get(key)?.token === token) this.#held.delete(key);
  }
}
