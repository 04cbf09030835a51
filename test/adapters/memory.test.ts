import { MemoryKvStore, MemoryTokenRepository, MemoryUserRepository } from '../../src/index.js';
import { describeKvStoreContract } from '../contracts/kv-store.js';
import { describeTokenRepositoryContract } from '../contracts/token-repository.js';
import { describeUserRepositoryContract } from '../contracts/user-repository.js';

let now = Date.now();
const store = new MemoryKvStore({ now: () => now });
describeKvStoreContract('MemoryKvStore', async () => ({
  store,
  async ttlOf(key) {
    return store.remainingTtlSeconds(key);
  },
  async advance(seconds) {
    now += seconds * 1000;
  },
}));

describeUserRepositoryContract('MemoryUserRepository', async () => new MemoryUserRepository());

describeTokenRepositoryContract('MemoryTokenRepository', async () => new MemoryTokenRepository());
