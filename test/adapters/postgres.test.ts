import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { PostgresTokenRepository, PostgresUserRepository, postgresTokenSchema } from '../../src/index.js';
import { connection, describeTokenRepositoryContract } from '../contracts/token-repository.js';
import { describeUserRepositoryContract } from '../contracts/user-repository.js';
import { startPostgres, type TestPostgres } from '../helpers/postgres-server.js';

let postgres: TestPostgres;
beforeAll(async () => {
  postgres = await startPostgres();
});
afterAll(async () => {
  await postgres.stop();
});

describeUserRepositoryContract(
  'PostgresUserRepository',
  async () => new PostgresUserRepository(postgres.pool),
);

describeTokenRepositoryContract(
  'PostgresTokenRepository',
  async () => new PostgresTokenRepository(postgres.pool),
);

describe('PostgresTokenRepository', () => {
  it('creates its table on first use, and works on a table made by the shipped schema', async () => {
    await postgres.pool.query(postgresTokenSchema('custom_connections'));
    const repo = new PostgresTokenRepository(postgres.pool, {
      table: 'custom_connections',
      createTable: false,
    });
    const record = connection();
    expect(await repo.put(record, null)).toBe(true);
    const { rows } = await postgres.pool.query('SELECT count(*)::int AS n FROM custom_connections');
    expect(rows[0]).toEqual({ n: 1 });
  });

  it('adds the health column to a table an earlier version created, keeping its rows', async () => {
    // The 0.1 schema, before health was kept.
    await postgres.pool.query(`CREATE TABLE old_connections (
      user_id text NOT NULL, provider text NOT NULL, version integer NOT NULL CHECK (version > 0),
      status text NOT NULL CHECK (status IN ('active', 'needs_reauth')), scopes text[] NOT NULL DEFAULT '{}',
      token_type text NOT NULL, expires_at timestamptz, sealed text NOT NULL, updated_at timestamptz NOT NULL,
      PRIMARY KEY (user_id, provider))`);
    await postgres.pool.query(
      `INSERT INTO old_connections VALUES ('old-user', 'acme', 1, 'active', '{openid}', 'bearer', NULL, 'v1.k1.x', now())`,
    );
    const repo = new PostgresTokenRepository(postgres.pool, { table: 'old_connections' });
    expect(await repo.get('old-user', 'acme')).toMatchObject({ sealed: 'v1.k1.x', version: 1 });
    expect(await repo.get('old-user', 'acme')).not.toHaveProperty('health');
    const record = connection({
      health: { createdAt: 1, hasRefreshToken: true, lastRefreshAt: null, lastError: null },
    });
    expect(await repo.put(record, null)).toBe(true);
    expect(await repo.get(record.userId, 'acme')).toEqual(record);
  });

  it('refuses a table name that is not a plain identifier', () => {
    expect(() => new PostgresTokenRepository(postgres.pool, { table: 'x; DROP TABLE y' })).toThrow(
      RangeError,
    );
  });

  it('answers store_unavailable when the database is unreachable', async () => {
    const { default: pg } = await import('pg');
    const dead = new pg.Pool({
      connectionString: 'postgres://postgres@127.0.0.1:1/postgres',
      connectionTimeoutMillis: 500,
    });
    const repo = new PostgresTokenRepository(dead);
    await expect(repo.get('u', 'acme')).rejects.toMatchObject({ code: 'store_unavailable' });
    await dead.end();
  });
});
