import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  MemoryTokenRepository,
  PostgresTokenRepository,
  postgresTokenSchema,
  RedisTokenRepository,
} from '../../src/index.js';
import { connection, describeTokenRepositoryContract } from '../contracts/token-repository.js';
import { useRedis } from '../helpers/lifecycle.js';
import { startPostgres, type TestPostgres } from '../helpers/postgres-server.js';

describeTokenRepositoryContract('MemoryTokenRepository', async () => new MemoryTokenRepository());

const redis = useRedis();
describeTokenRepositoryContract(
  'RedisTokenRepository',
  async () => new RedisTokenRepository(redis().client(), 'contract:'),
);

let postgres: TestPostgres;
beforeAll(async () => {
  postgres = await startPostgres();
});
afterAll(async () => {
  await postgres.stop();
});
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

describe('RedisTokenRepository', () => {
  it('keeps a connection and its user index in one Cluster hash slot', async () => {
    const client = redis().client();
    const repo = new RedisTokenRepository(client, 'slot:');
    const record = connection({ userId: 'user-42' });
    await repo.put(record, null);
    const keys = (await client.keys('slot:*')).sort();
    expect(keys).toEqual(['slot:conn:{user-42}:acme', 'slot:conns:{user-42}']);
  });
});
