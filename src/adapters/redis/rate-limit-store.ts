import { RedisStore } from 'rate-limit-redis';
import type { RedisClient } from '../redis-client.js';
import { asStoreError } from './errors.js';

/**
 * rate-limit-redis on the shared client (standalone or Cluster). A Redis outage surfaces as `store_unavailable`
 * so the limiter fails closed with 503, like every other store access.
 */
export function rateLimitStore(redis: RedisClient, prefix: string): RedisStore {
  const store = redis.isCluster
    ? new RedisStore({
        prefix,
        sendCommandCluster: ({ command }) => send(redis, command[0] as string, command.slice(1)),
      })
    : new RedisStore({
        prefix,
        sendCommand: (command, ...args) => send(redis, command, args),
      });
  // The store loads its scripts at construction without a rejection handler; with Redis down at boot that would
  // be an unhandled rejection (fatal on Node 20). It reloads them on first use anyway.
  store.incrementScriptSha.catch(() => {});
  store.getScriptSha.catch(() => {});
  return store;
}

function send(redis: RedisClient, command: string, args: string[]): Promise<never> {
  return redis.call(command, ...args).catch((err: unknown) => {
    throw asStoreError(err);
  }) as Promise<never>;
}
