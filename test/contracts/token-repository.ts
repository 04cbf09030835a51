import { describe, expect, it } from '@jest/globals';
import type { ConnectionRecord, TokenRepository } from '../../src/index.js';

/** A record for a fresh user, at version 1. */
export function connection(overrides: Partial<ConnectionRecord> = {}): ConnectionRecord {
  return {
    userId: `user-${Math.random().toString(36).slice(2)}`,
    provider: 'acme',
    version: 1,
    status: 'active',
    scopes: ['openid', 'offline_access'],
    tokenType: 'bearer',
    expiresAt: Date.now() + 3_600_000,
    sealed: `v1.k1.${Math.random().toString(36).slice(2)}`,
    updatedAt: Date.now(),
    ...overrides,
  };
}

/**
 * The contract every {@link TokenRepository} must meet. Third-party adapters can run it:
 * `describeTokenRepositoryContract('my repo', async () => repo)`.
 */
export function describeTokenRepositoryContract(name: string, factory: () => Promise<TokenRepository>): void {
  describe(`TokenRepository contract: ${name}`, () => {
    it('stores a new connection and reads it back exactly', async () => {
      const repo = await factory();
      const record = connection({ expiresAt: 1_900_000_000_123, updatedAt: 1_800_000_000_456 });
      expect(await repo.put(record, null)).toBe(true);
      expect(await repo.get(record.userId, 'acme')).toEqual(record);
    });

    it('keeps the health metadata exactly, and leaves it absent on a record written without it', async () => {
      const repo = await factory();
      const record = connection({
        health: {
          createdAt: 1_800_000_000_001,
          hasRefreshToken: false,
          lastRefreshAt: null,
          lastError: null,
        },
      });
      expect(await repo.put(record, null)).toBe(true);
      expect(await repo.get(record.userId, 'acme')).toEqual(record);
      const failed: ConnectionRecord = {
        ...record,
        version: 2,
        health: {
          createdAt: 1_800_000_000_001,
          hasRefreshToken: true,
          lastRefreshAt: 1_800_000_000_002,
          lastError: {
            code: 'provider_error',
            providerError: 'temporarily_unavailable',
            at: 1_800_000_000_003,
          },
        },
      };
      expect(await repo.put(failed, 1)).toBe(true);
      expect(await repo.get(record.userId, 'acme')).toEqual(failed);
      const legacy = connection();
      await repo.put(legacy, null);
      expect(await repo.get(legacy.userId, 'acme')).not.toHaveProperty('health');
    });

    it('keeps a null expiry and an empty scope list', async () => {
      const repo = await factory();
      const record = connection({ expiresAt: null, scopes: [] });
      await repo.put(record, null);
      expect(await repo.get(record.userId, 'acme')).toEqual(record);
    });

    it('returns null and an empty list for unknown users', async () => {
      const repo = await factory();
      expect(await repo.get('nobody', 'acme')).toBeNull();
      expect(await repo.listByUser('nobody')).toEqual([]);
    });

    it('refuses to create a connection that exists (expected version null)', async () => {
      const repo = await factory();
      const record = connection();
      expect(await repo.put(record, null)).toBe(true);
      expect(await repo.put({ ...record, sealed: 'other' }, null)).toBe(false);
      expect((await repo.get(record.userId, 'acme'))?.sealed).toBe(record.sealed);
    });

    it('updates only from the expected version (compare-and-set), so a stale writer loses', async () => {
      const repo = await factory();
      const v1 = connection();
      await repo.put(v1, null);
      const v2 = { ...v1, version: 2, sealed: 'v2' };
      expect(await repo.put(v2, 1)).toBe(true);
      // A writer that read version 1 and comes late must not overwrite version 2.
      expect(await repo.put({ ...v1, version: 2, sealed: 'stale' }, 1)).toBe(false);
      expect(await repo.get(v1.userId, 'acme')).toEqual(v2);
      expect(await repo.put({ ...v2, version: 3, status: 'needs_reauth' }, 2)).toBe(true);
      expect((await repo.get(v1.userId, 'acme'))?.status).toBe('needs_reauth');
    });

    it('lets exactly one of many concurrent writers from the same version win', async () => {
      const repo = await factory();
      const v1 = connection();
      await repo.put(v1, null);
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) => repo.put({ ...v1, version: 2, sealed: `writer-${i}` }, 1)),
      );
      expect(results.filter(Boolean)).toHaveLength(1);
      const winner = results.indexOf(true);
      expect((await repo.get(v1.userId, 'acme'))?.sealed).toBe(`writer-${winner}`);
    });

    it('refuses a record whose version is not expected + 1', async () => {
      const repo = await factory();
      await expect(repo.put(connection({ version: 3 }), null)).rejects.toThrow(RangeError);
    });

    it('lists all connections of a user and deletes one', async () => {
      const repo = await factory();
      const a = connection();
      const b = connection({ userId: a.userId, provider: 'other' });
      const stranger = connection();
      await Promise.all([repo.put(a, null), repo.put(b, null), repo.put(stranger, null)]);
      const listed = await repo.listByUser(a.userId);
      expect(listed.map((r) => r.provider).sort()).toEqual(['acme', 'other']);
      await repo.delete(a.userId, 'acme');
      await repo.delete(a.userId, 'missing');
      expect(await repo.get(a.userId, 'acme')).toBeNull();
      expect((await repo.listByUser(a.userId)).map((r) => r.provider)).toEqual(['other']);
      // After a delete the connection can be created again from scratch.
      expect(await repo.put(a, null)).toBe(true);
    });
  });
}
