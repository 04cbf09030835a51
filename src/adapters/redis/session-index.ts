import type { SessionIndex, SessionIndexEntry } from '../../session/session-index.js';
import type { RedisClient } from '../redis-client.js';
import { guard } from './errors.js';

// KEYS[1] the user's hash; ARGV: entry id, entry JSON, the entry's time to live in ms. The hash lives as long as
// its longest-lived entry; expired entries are dropped when listed.
const ADD = `redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
local ttl = tonumber(ARGV[3])
if redis.call('PTTL', KEYS[1]) < ttl then redis.call('PEXPIRE', KEYS[1], ttl) end
return 1`;
const TAKE_ALL = `local all = redis.call('HGETALL', KEYS[1])
redis.call('DEL', KEYS[1])
return all`;

/**
 * {@link SessionIndex} on Redis: one hash per user, `<prefix>sessions:{<userId>}`, field = session entry id. One
 * key per user, so every operation is atomic on Redis Cluster too.
 */
export class RedisSessionIndex implements SessionIndex {
  readonly #client: RedisClient;
  readonly #prefix: string;

  /**
   * @param client - An ioredis client; never opened or closed here.
   * @param prefix - Key prefix.
   */
  constructor(client: RedisClient, prefix: string) {
    this.#client = client;
    this.#prefix = prefix;
  }

  async add(userId: string, entry: SessionIndexEntry): Promise<void> {
    await guard(() =>
      this.#client.eval(
        ADD,
        1,
        this.#key(userId),
        entry.id,
        JSON.stringify(entry),
        String(Math.max(1, entry.expiresAt - Date.now())),
      ),
    );
  }

  async list(userId: string): Promise<SessionIndexEntry[]> {
    const flat = (await guard(() => this.#client.call('HGETALL', this.#key(userId)))) as string[];
    const now = Date.now();
    const live: SessionIndexEntry[] = [];
    for (let i = 1; i < flat.length; i += 2) {
      const entry = JSON.parse(flat[i] as string) as SessionIndexEntry;
      if (entry.expiresAt > now) live.push(entry);
      else await this.remove(userId, entry.id);
    }
    return live;
  }

  async remove(userId: string, id: string): Promise<void> {
    await guard(() => this.#client.call('HDEL', this.#key(userId), id));
  }

  async takeAll(userId: string): Promise<SessionIndexEntry[]> {
    const flat = (await guard(() => this.#client.eval(TAKE_ALL, 1, this.#key(userId)))) as string[];
    const entries: SessionIndexEntry[] = [];
    for (let i = 1; i < flat.length; i += 2) entries.push(JSON.parse(flat[i] as string) as SessionIndexEntry);
    return entries;
  }

  #key(userId: string): string {
    return `${this.#prefix}sessions:{${userId}}`;
  }
}
