import { DEFAULTS } from '../../config/defaults.js';
import { assertNextVersion, type ConnectionRecord, type TokenRepository } from '../../tokens/types.js';
import type { RedisClient } from '../redis-client.js';
import { guard } from './errors.js';

// KEYS[1] connection hash, KEYS[2] the user's index set; ARGV: record JSON, expected version (-1: none), provider.
const PUT_IF_VERSION = `
local current = redis.call('HGET', KEYS[1], 'v')
if current == false then current = -1 else current = tonumber(current) end
if current ~= tonumber(ARGV[2]) then return 0 end
redis.call('HSET', KEYS[1], 'v', ARGV[4], 'r', ARGV[1])
redis.call('SADD', KEYS[2], ARGV[3])
return 1`;

/**
 * {@link TokenRepository} on Redis. A connection is a hash `<prefix>conn:{<userId>}:<provider>` (fields `v`,
 * the version, and `r`, the record with its sealed tokens); `<prefix>conns:{<userId>}` indexes a user's
 * providers. The `{userId}` hash tag keeps both in one Cluster slot, so the compare-and-set script is atomic
 * on Redis Cluster too.
 */
export class RedisTokenRepository implements TokenRepository {
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

  async get(userId: string, provider: string): Promise<ConnectionRecord | null> {
    const json = await guard(() => this.#client.hget(this.#key(userId, provider), 'r'));
    return json ? (JSON.parse(json) as ConnectionRecord) : null;
  }

  async put(record: ConnectionRecord, expectedVersion: number | null): Promise<boolean> {
    assertNextVersion(record, expectedVersion);
    const result = await guard(() =>
      this.#client.eval(
        PUT_IF_VERSION,
        2,
        this.#key(record.userId, record.provider),
        this.#indexKey(record.userId),
        JSON.stringify(record),
        String(expectedVersion ?? -1),
        record.provider,
        String(record.version),
      ),
    );
    return result === 1;
  }

  async delete(userId: string, provider: string): Promise<void> {
    await guard(() => this.#client.del(this.#key(userId, provider)));
    await guard(() => this.#client.srem(this.#indexKey(userId), provider));
  }

  async listByUser(userId: string): Promise<ConnectionRecord[]> {
    const providers = await guard(() => this.#client.smembers(this.#indexKey(userId)));
    const records = await Promise.all(providers.map((p) => this.get(userId, p)));
    return records.filter((r): r is ConnectionRecord => r !== null);
  }

  #key(userId: string, provider: string): string {
    return `${this.#prefix}conn:{${userId}}:${provider}`;
  }

  #indexKey(userId: string): string {
    return `${this.#prefix}conns:{${userId}}`;
  }
}
