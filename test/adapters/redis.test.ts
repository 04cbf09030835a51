import { afterAll, beforeAll } from '@jest/globals';
import type { Redis } from 'ioredis';
import { RedisKvStore, RedisUserRepository } from '../../src/index.js';
import { describeKvStoreContract } from '../contracts/kv-store.js';
import { describeUserRepositoryContract } from '../contracts/user-repository.js';
import { startRedis, type TestRedis } from '../helpers/redis-server.js';

let redis: TestRedis;
let client: Redis;
beforeAll(async () => {
  redis = await startRedis();
  client = redis.client();
});
afterAll(async () => {
  await redis.stop();
});

describeKvStoreContract('RedisKvStore', async () => ({
  store: new RedisKvStore(client),
  async ttlOf(key) {
    const ttl = await client.ttl(key);
    return ttl < 0 ? null : ttl;
  },
  async advance(seconds) {
    await new Promise((r) => setTimeout(r, seconds * 1000));
  },
}));

describeUserRepositoryContract(
  'RedisUserRepository',
  async () => new RedisUserRepository(client, 'contract:'),
);
