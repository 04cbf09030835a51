import { randomBytes } from 'node:crypto';
import type { RefreshLock } from '../../tokens/refresh-lock.js';
import type { RedisClient } from '../redis-client.js';
import { guard } from './errors.js';

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
