import { describe, expect, it } from '@jest/globals';
import { RedisKvStore, RedisTokenRepository, RedisUserRepository } from '../../src/index.js';
import { describeKvStoreContract } from '../contracts/kv-store.js';
import { connection, describeTokenRepositoryContract } from '../contracts/token-repository.js';
import { describeUserRepositoryContract } from '../contracts/user-repository.js';
import { useRedis } from '../helpers/lifecycle.js';

const redis = useRedis();

describeKvStoreContract('RedisKvStore', async () => {
  const client = redis().client();
  return {
    store: new RedisKvStore(client),
    async ttlOf(key) {
      const ttl = await client.ttl(key);
      return ttl < 0 ? null : ttl;
    },
    async advance(seconds) {
      await new Promise((r) => setTimeout(r, seconds * 1000));
    },
  };
});

describeUserRepositoryContract(
  'RedisUserRepository',
  async () => new RedisUserRepository(redis().client(), 'contract:'),
);

describeTokenRepositoryContract(
  'RedisTokenRepository',
  async () => new RedisTokenRepository(redis().client(), 'contract:'),
);

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
