import { describe, expect, it } from '@jest/globals';
import type { KvStore } from '../../src/index.js';

/** Hooks into the backend, so the contract can check real state and not just what the adapter says. */
export interface KvStoreBackend {
  store: KvStore;
  /** Remaining TTL of a key in seconds as the backend reports it, or null when it has none. */
  ttlOf(key: string): Promise<number | null>;
  /** Makes time pass for expiry (a real wait for a server, a clock step for a fake clock). */
  advance(seconds: number): Promise<void>;
}

/**
 * The contract every {@link KvStore} must meet. Third-party adapters can run it:
 * `describeKvStoreContract('my store', async () => ({ store, ttlOf, advance }))`.
 */
export function describeKvStoreContract(name: string, factory: () => Promise<KvStoreBackend>): void {
  describe(`KvStore contract: ${name}`, () => {
    const key = (suffix: string) => `contract:${Math.random().toString(36).slice(2)}:${suffix}`;

    it('returns null for a missing key', async () => {
      const { store } = await factory();
      expect(await store.get(key('missing'))).toBeNull();
      expect(await store.take(key('missing'))).toBeNull();
    });

    it('stores a value with the TTL it was given', async () => {
      const { store, ttlOf } = await factory();
      const k = key('ttl');
      await store.set(k, 'v', 300);
      expect(await store.get(k)).toBe('v');
      const ttl = await ttlOf(k);
      expect(ttl).not.toBeNull();
      expect(ttl).toBeGreaterThan(290);
      expect(ttl).toBeLessThanOrEqual(300);
    });

    it('replaces a value and its TTL on set', async () => {
      const { store, ttlOf } = await factory();
      const k = key('replace');
      await store.set(k, 'a', 300);
      await store.set(k, 'b', 60);
      expect(await store.get(k)).toBe('b');
      expect(await ttlOf(k)).toBeLessThanOrEqual(60);
    });

    it('forgets a value after its TTL', async () => {
      const { store, advance } = await factory();
      const k = key('expire');
      await store.set(k, 'v', 1);
      await advance(1.2);
      expect(await store.get(k)).toBeNull();
      expect(await store.take(k)).toBeNull();
    });

    it('take returns the value once and deletes it', async () => {
      const { store } = await factory();
      const k = key('take');
      await store.set(k, 'v', 60);
      expect(await store.take(k)).toBe('v');
      expect(await store.take(k)).toBeNull();
      expect(await store.get(k)).toBeNull();
    });

    it('take is atomic: of many concurrent takes exactly one gets the value', async () => {
      const { store } = await factory();
      const k = key('race');
      await store.set(k, 'v', 60);
      const results = await Promise.all(Array.from({ length: 25 }, () => store.take(k)));
      expect(results.filter((r) => r === 'v')).toHaveLength(1);
    });

    it('setIfAbsent writes a missing key with its TTL and reports it', async () => {
      const { store, ttlOf } = await factory();
      const k = key('nx');
      expect(await store.setIfAbsent(k, 'first', 300)).toBe(true);
      expect(await store.get(k)).toBe('first');
      const ttl = await ttlOf(k);
      expect(ttl).toBeGreaterThan(290);
      expect(ttl).toBeLessThanOrEqual(300);
    });

    it('setIfAbsent leaves a present value and its TTL unchanged', async () => {
      const { store, ttlOf } = await factory();
      const k = key('nx-present');
      await store.set(k, 'kept', 60);
      expect(await store.setIfAbsent(k, 'other', 300)).toBe(false);
      expect(await store.get(k)).toBe('kept');
      expect(await ttlOf(k)).toBeLessThanOrEqual(60);
    });

    it('setIfAbsent writes again once the value expired or was deleted', async () => {
      const { store, advance } = await factory();
      const expiring = key('nx-expired');
      expect(await store.setIfAbsent(expiring, 'a', 1)).toBe(true);
      await advance(1.2);
      expect(await store.setIfAbsent(expiring, 'b', 60)).toBe(true);
      expect(await store.get(expiring)).toBe('b');
      const deleted = key('nx-deleted');
      await store.set(deleted, 'a', 60);
      await store.delete(deleted);
      expect(await store.setIfAbsent(deleted, 'b', 60)).toBe(true);
      expect(await store.get(deleted)).toBe('b');
    });

    it('setIfAbsent is atomic: of many concurrent calls exactly one writes, and its value stays', async () => {
      const { store } = await factory();
      const k = key('nx-race');
      const results = await Promise.all(
        Array.from({ length: 25 }, (_, i) => store.setIfAbsent(k, `v${i}`, 60)),
      );
      expect(results.filter(Boolean)).toHaveLength(1);
      expect(await store.get(k)).toBe(`v${results.indexOf(true)}`);
    });

    it('delete removes a value and ignores a missing key', async () => {
      const { store } = await factory();
      const k = key('delete');
      await store.set(k, 'v', 60);
      await store.delete(k);
      expect(await store.get(k)).toBeNull();
      await expect(store.delete(k)).resolves.toBeUndefined();
    });

    it('refuses a TTL that is not a whole number of seconds >= 1', async () => {
      const { store } = await factory();
      await expect(store.set(key('bad'), 'v', 0)).rejects.toThrow(RangeError);
      await expect(store.set(key('bad'), 'v', 1.5)).rejects.toThrow(RangeError);
      await expect(store.setIfAbsent(key('bad'), 'v', 0)).rejects.toThrow(RangeError);
    });

    it('keeps values byte-exact (unicode, JSON, empty string)', async () => {
      const { store } = await factory();
      for (const value of ['', '{"a":"é✓\\u0000"}', '𝓤nicode 🚀']) {
        const k = key('exact');
        await store.set(k, value, 60);
        expect(await store.get(k)).toBe(value);
      }
    });
  });
}
