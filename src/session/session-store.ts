import { RedisStore } from 'connect-redis';
import { MemoryStore, type SessionData, type Store } from 'express-session';
import type { RedisClient } from '../adapters/redis/client.js';
import type { ResolvedConfig } from '../config/types.js';

type StoreCallback = (err: unknown, data?: SessionData | null) => unknown;

/** The app's own store when configured; else connect-redis on the shared Redis, or a memory store without it. */
export function createSessionStore(config: ResolvedConfig, redis: RedisClient | undefined): Store {
  if (config.session.store) return config.session.store;
  if (redis) return new RedisSessionStore(redis, `${config.keyPrefix}sess:`);
  return new MemoryStore();
}

/**
 * connect-redis, with a leaner `get` for the one store read every signed-in request makes. connect-redis's own
 * `get` is an async function awaiting a wrapped client call and then its serializer, three promises per read;
 * this one is a single ioredis call and `JSON.parse`, connect-redis's default serializer, so what it reads is
 * byte for byte what connect-redis (and express-session before it) wrote. Writes, destroys and listing stay
 * connect-redis's own.
 *
 * No touch: sessions are absolute, so the Redis TTL set at sign-in already matches the cookie's expiry.
 */
class RedisSessionStore extends RedisStore {
  readonly #redis: RedisClient;

  constructor(redis: RedisClient, prefix: string) {
    super({ client: redis, prefix, disableTouch: true });
    this.#redis = redis;
  }

  // The base class's signature: the callback is optional, and the promise settles with what it returned.
  override get(sid: string, callback?: StoreCallback): Promise<unknown> {
    const read = this.#redis.get(this.prefix + sid).then(parseSession);
    return callback
      ? read.then(
          (data) => callback(null, data),
          (err: unknown) => callback(err, null),
        )
      : read;
  }
}

function parseSession(json: string | null): SessionData | null {
  return json ? (JSON.parse(json) as SessionData) : null;
}
