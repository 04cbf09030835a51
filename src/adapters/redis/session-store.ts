import { RedisStore } from 'connect-redis';
import type { SessionData } from 'express-session';
import type { RedisClient } from '../redis-client.js';
import { asStoreError } from './errors.js';

type StoreCallback = (err: unknown, data?: SessionData | null) => unknown;

/**
 * connect-redis, with a leaner `get` for the one store read every signed-in request makes. connect-redis's own
 * `get` is an async function awaiting a wrapped client call and then its serializer, three promises per read;
 * this one is a single ioredis call and `JSON.parse`, connect-redis's default serializer, so what it reads is
 * byte for byte what connect-redis (and express-session before it) wrote. Writes, destroys and listing stay
 * connect-redis's own.
 *
 * No touch: sessions are absolute, so the Redis TTL set at sign-in already matches the cookie's expiry.
 */
export class RedisSessionStore extends RedisStore {
  readonly #redis: RedisClient;

  constructor(redis: RedisClient, prefix: string) {
    super({ client: redis, prefix, disableTouch: true });
    this.#redis = redis;
  }

  // The base class's signature: the callback is optional, and the promise settles with what it returned.
  override get(sid: string, callback?: StoreCallback): Promise<unknown> {
    const read = this.#redis.get(this.prefix + sid).then(parseSession, rethrowAsStoreError);
    return callback
      ? read.then(
          (data) => callback(null, data),
          (err: unknown) => callback(err, null),
        )
      : read;
  }

  // A write or destroy that fails because Redis is down answers 503 store_unavailable like every other store
  // access, rather than a bare ioredis error.
  override set(sid: string, sess: SessionData, callback?: (err?: unknown) => void): Promise<unknown> {
    return super.set(sid, sess, mapError(callback)).catch(rethrowAsStoreError);
  }

  override destroy(sid: string, callback?: (err?: unknown) => void): Promise<unknown> {
    return super.destroy(sid, mapError(callback)).catch(rethrowAsStoreError);
  }
}

function mapError(callback: ((err?: unknown) => void) | undefined) {
  return callback && ((err?: unknown) => (err ? callback(asStoreError(err)) : callback()));
}

function parseSession(json: string | null): SessionData | null {
  return json ? (JSON.parse(json) as SessionData) : null;
}

// One function for every read, not a closure per request: the read is on every signed-in request's path.
function rethrowAsStoreError(err: unknown): never {
  throw asStoreError(err);
}
