import { RedisStore } from 'connect-redis';
import { MemoryStore, type Store } from 'express-session';
import type { Cluster, Redis } from 'ioredis';
import type { ResolvedConfig } from '../config/types.js';

/** The app's own store when configured; else connect-redis on the shared Redis, or a memory store without it. */
export function createSessionStore(config: ResolvedConfig, redis: Redis | Cluster | undefined): Store {
  if (config.session.store) return config.session.store;
  // No touch: sessions are absolute, so the Redis TTL set at sign-in already matches the cookie's expiry.
  if (redis) return new RedisStore({ client: redis, prefix: `${config.keyPrefix}sess:`, disableTouch: true });
  return new MemoryStore();
}
