import type { KvStore } from '../adapters/kv-store.js';
import type { TokenEndpointBackoff } from './provider-client.js';

/**
 * {@link TokenEndpointBackoff} in the router's KvStore (Redis across instances): one key per provider holding the
 * time it may be called again, expiring at that time.
 *
 * @param store - The router's KvStore.
 * @param prefix - Key prefix.
 * @returns The shared backoff.
 * @example
 * const backoff = storeBackoff(kvStore, 'oar:');
 */
export function storeBackoff(store: KvStore, prefix: string): TokenEndpointBackoff {
  const key = (provider: string) => `${prefix}provider-wait:${provider}`;
  return {
    async heldUntil(provider) {
      const value = Number(await store.get(key(provider)));
      return value > Date.now() ? value : null;
    },
    async hold(provider, until) {
      const seconds = Math.ceil((until - Date.now()) / 1000);
      if (seconds >= 1) await store.set(key(provider), String(until), seconds);
    },
  };
}
