import { createHash } from 'node:crypto';
import { DEFAULTS } from '../../config/defaults.js';
import type { Profile } from '../../providers/types.js';
import { newUserFromProfile, normalizeEmail } from '../../users/new-user.js';
import type { LinkedAccount, OAuthUser, UserRepository } from '../../users/types.js';
import type { RedisClient } from '../redis-client.js';
import { guard } from './errors.js';

/**
 * {@link UserRepository} on Redis. Keys: `<prefix>user:<id>` (JSON), `<prefix>account:<provider>:<id>` →
 * user id, `<prefix>email:<email>` → user id (verified emails only), `<prefix>user-accounts:<id>` (list).
 * No multi-key transactions, so it works unchanged on Redis Cluster; uniqueness comes from `SET NX`.
 * On a single Redis, a returning user's account → user lookup is one round trip (a read-only script).
 */
export class RedisUserRepository implements UserRepository {
  readonly #client: RedisClient;
  readonly #prefix: string;

  /**
   * @param client - An ioredis client; never opened or closed here.
   * @param prefix - Key prefix, default `oar:`.
   */
  constructor(client: RedisClient, prefix: string = DEFAULTS.keyPrefix) {
    this.#client = client;
    this.#prefix = prefix;
  }

  async findById(id: string): Promise<OAuthUser | null> {
    const json = await guard(() => this.#client.get(`${this.#prefix}user:${id}`));
    return json ? (JSON.parse(json) as OAuthUser) : null;
  }

  async findByAccount(account: LinkedAccount): Promise<OAuthUser | null> {
    // A cluster refuses a script that reads a key it was not given (the user key's slot is unknown up front).
    if (this.#client.isCluster) {
      const id = await guard(() => this.#client.get(this.#accountKey(account)));
      return id ? this.findById(id) : null;
    }
    const json = await guard(() => this.#readThrough(this.#accountKey(account), `${this.#prefix}user:`));
    return typeof json === 'string' ? (JSON.parse(json) as OAuthUser) : null;
  }

  /** GET the id at `key`, then GET `prefix + id`, in one round trip: EVALSHA, or EVAL once the script is unknown. */
  async #readThrough(key: string, prefix: string): Promise<unknown> {
    try {
      return await this.#client.evalsha(READ_THROUGH_SHA, 1, key, prefix);
    } catch (err) {
      if (!(err instanceof Error) || !err.message.startsWith('NOSCRIPT')) throw err;
      return this.#client.eval(READ_THROUGH, 1, key, prefix);
    }
  }

  async findByVerifiedEmail(email: string): Promise<OAuthUser | null> {
    const id = await guard(() => this.#client.get(`${this.#prefix}email:${normalizeEmail(email)}`));
    return id ? this.findById(id) : null;
  }

  async createFromProfile(profile: Profile): Promise<OAuthUser> {
    const user = newUserFromProfile(profile);
    await guard(() => this.#client.set(`${this.#prefix}user:${user.id}`, JSON.stringify(user)));
    // The account key decides the race: whoever sets it first owns the account; the loser's record is removed.
    const won = await guard(() => this.#client.set(this.#accountKey(profile), user.id, 'NX'));
    if (won !== 'OK') {
      await guard(() => this.#client.del(`${this.#prefix}user:${user.id}`));
      const existing = await this.findByAccount(profile);
      if (existing) return existing;
      throw new Error('account key vanished during creation');
    }
    await guard(() => this.#client.rpush(this.#listKey(user.id), JSON.stringify(accountOf(profile))));
    if (user.email && user.emailVerified) {
      await guard(() =>
        this.#client.set(`${this.#prefix}email:${normalizeEmail(user.email as string)}`, user.id, 'NX'),
      );
    }
    return user;
  }

  async linkAccount(userId: string, account: LinkedAccount): Promise<boolean> {
    const won = await guard(() => this.#client.set(this.#accountKey(account), userId, 'NX'));
    if (won === 'OK') {
      await guard(() => this.#client.rpush(this.#listKey(userId), JSON.stringify(accountOf(account))));
      return true;
    }
    return (await guard(() => this.#client.get(this.#accountKey(account)))) === userId;
  }

  async listAccounts(userId: string): Promise<LinkedAccount[]> {
    const items = await guard(() => this.#client.lrange(this.#listKey(userId), 0, -1));
    return items.map((item) => JSON.parse(item) as LinkedAccount);
  }

  async unlinkProvider(userId: string, provider: string): Promise<LinkedAccount[]> {
    const removed = (await this.listAccounts(userId)).filter((a) => a.provider === provider);
    for (const account of removed) {
      await guard(() => this.#client.eval(DELETE_IF_VALUE, 1, this.#accountKey(account), userId));
      await guard(() =>
        this.#client.call('LREM', this.#listKey(userId), '0', JSON.stringify(accountOf(account))),
      );
    }
    return removed;
  }

  async deleteUser(userId: string): Promise<void> {
    const user = await this.findById(userId);
    for (const account of await this.listAccounts(userId)) {
      await guard(() => this.#client.eval(DELETE_IF_VALUE, 1, this.#accountKey(account), userId));
    }
    if (user?.email) {
      const emailKey = `${this.#prefix}email:${normalizeEmail(user.email)}`;
      await guard(() => this.#client.eval(DELETE_IF_VALUE, 1, emailKey, userId));
    }
    await guard(() => this.#client.del(this.#listKey(userId)));
    await guard(() => this.#client.del(`${this.#prefix}user:${userId}`));
  }

  #accountKey(account: LinkedAccount): string {
    return `${this.#prefix}account:${account.provider}:${account.providerAccountId}`;
  }

  #listKey(userId: string): string {
    return `${this.#prefix}user-accounts:${userId}`;
  }
}

const READ_THROUGH = `local id = redis.call('GET', KEYS[1])
if not id then return false end
return redis.call('GET', ARGV[1] .. id)`;
// Deletes an index key only while it still points at this user: an account relinked to someone else meanwhile stays.
const DELETE_IF_VALUE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;
const READ_THROUGH_SHA = createHash('sha1').update(READ_THROUGH).digest('hex');

function accountOf(account: LinkedAccount): LinkedAccount {
  return { provider: account.provider, providerAccountId: account.providerAccountId };
}
