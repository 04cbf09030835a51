import { MemoryStore, type Store } from 'express-session';
import { RedisSessionStore } from '../adapters/redis/session-store.js';
import type { RedisClient } from '../adapters/redis-client.js';
import type { ResolvedConfig } from '../config/types.js';

/** An express-session store: the app's own, connect-redis, or express-session's memory store. */
export type SessionStore = Store;

/** The app's own store when configured; else connect-redis on the shared Redis, or a memory store without it. */
export function createSessionStore(config: ResolvedConfig, redis: RedisClient | undefined): Store {
  if (config.session.store) return config.session.store;
  if (redis) return new RedisSessionStore(redis, `${config.keyPrefix}sess:`);
  return new MemoryStore();
}
