import type { RedisClient } from '../redis-client.js';
import { loadIoredis } from './load-ioredis.js';

/**
 * Opens the ioredis client for a `redis://` URL given in the config. Timeouts are bounded and retries per
 * command limited, so that a Redis outage answers 503 quickly instead of hanging requests; the client keeps
 * reconnecting in the background and the library recovers by itself when Redis returns.
 */
export function createRedisClient(url: string): RedisClient {
  const { Redis } = loadIoredis();
  return new Redis(url, {
    // Under load, many requests read their session in the same tick: one write for all of them instead of one each.
    enableAutoPipelining: true,
    connectTimeout: 2_000,
    commandTimeout: 2_000,
    maxRetriesPerRequest: 1,
    retryStrategy: (attempt: number) => Math.min(attempt * 100, 2_000),
  });
}
