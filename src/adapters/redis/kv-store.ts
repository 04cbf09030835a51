import type { KvStore } from '../kv-store.js';
import { assertTtl } from '../memory/kv-store.js';
import type { RedisClient } from '../redis-client.js';
import { guard } from './errors.js';

/**
 * {@link KvStore} on Redis (standalone or ioredis `Cluster`). `take` is `GETDEL` and `setIfAbsent` is
 * `SET … EX … NX`, both atomic on the server, so a state is single-use and a refresh token's reuse is seen even
 * across app instances. Needs Redis 6.2 or later.
 *
 * @example
 * ```ts
 * const redis = new Redis(process.env.REDIS_URL);
 * oauthRouter({ ..., kvStore: new RedisKvStore(redis) });
 * ```
 */
export class RedisKvStore implements KvStore {
  readonly #client: RedisClient;

  /** @param client - An ioredis client; this store never opens or closes it. */
  constructor(client: RedisClient) {
    this.#client = client;
  }

  async get(key: string): Promise<string | null> {
    return guard(() => this.#client.get(key));
  }

  async set(key: string, value: string, ttlSeconds: number): Promise<void> {
    assertTtl(ttlSeconds);
    await guard(() => this.#client.set(key, value, 'EX', ttlSeconds));
  }

  async setIfAbsent(key: string, value: string, ttlSeconds: number): Promise<boolean> {
    assertTtl(ttlSeconds);
    return (await guard(() => this.#client.set(key, value, 'EX', ttlSeconds, 'NX'))) === 'OK';
  }

  async take(key: string): Promise<string | null> {
    return guard(() => this.#client.getdel(key));
  }

  async delete(key: string): Promise<void> {
    await guard(() => this.#client.del(key));
  }
}
