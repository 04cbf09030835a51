// PostgreSQL going away mid-traffic (a crash, a failover, a restart for an upgrade): typed errors while it is
// gone, recovery by itself when it is back, and never a half-written connection record.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type ConnectionRecord, PostgresTokenRepository } from '../../src/index.js';
import { connection } from '../contracts/token-repository.js';
import { startPostgres, type TestPostgres } from '../helpers/postgres-server.js';

let postgres: TestPostgres;
beforeAll(async () => {
  postgres = await startPostgres();
});
afterAll(async () => {
  await postgres.stop();
});

async function eventually<T>(attempt: () => Promise<T>, ms = 15_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    try {
      return await attempt();
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

// With DATABASE_URL the tests write to a database they did not start, and cannot restart it.
const restartable = process.env.DATABASE_URL ? describe.skip : describe;

restartable('PostgreSQL restarted while tokens are read and written', () => {
  it('answers store_unavailable while it is down, recovers by itself, and keeps whole records and versions', async () => {
    const repo = new PostgresTokenRepository(postgres.pool);
    const first = connection();
    expect(await repo.put(first, null)).toBe(true);
    // Writers racing from version 1 while the server is killed under them.
    const attempts = Array.from({ length: 10 }, (_, i) => ({
      ...first,
      version: 2,
      sealed: `v1.k1.attempt-${i}`,
    }));
    const racing = attempts.map((record) =>
      repo.put(record, 1).then(
        (ok) => (ok ? 'won' : 'lost'),
        (err) => err,
      ),
    );
    const [outcomes] = await Promise.all([Promise.all(racing), postgres.kill?.()]);
    await expect(repo.get(first.userId, 'acme')).rejects.toMatchObject({ code: 'store_unavailable' });
    await expect(repo.put({ ...first, version: 3 }, 2)).rejects.toMatchObject({ code: 'store_unavailable' });
    for (const outcome of outcomes) {
      if (typeof outcome !== 'string') expect(outcome).toMatchObject({ code: 'store_unavailable' });
    }
    expect(outcomes.filter((o) => o === 'won').length).toBeLessThanOrEqual(1);

    postgres.start?.();
    const after = (await eventually(() => repo.get(first.userId, 'acme'))) as ConnectionRecord;
    // One whole record: the first, or exactly one of the racing writes (committed even if its answer was lost).
    const candidates = [first, ...attempts];
    expect(candidates).toContainEqual(after);
    if (outcomes.includes('won')) expect(after.version).toBe(2);
    // Compare-and-set still holds after the restart.
    const next = { ...after, version: after.version + 1, sealed: 'v1.k1.after-restart' };
    expect(await repo.put(next, after.version)).toBe(true);
    expect(await repo.put({ ...next, sealed: 'v1.k1.stale' }, after.version)).toBe(false);
    expect(await repo.get(first.userId, 'acme')).toEqual(next);
  }, 40_000);
});
