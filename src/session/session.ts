import { RedisStore } from 'connect-redis';
import type { RequestHandler } from 'express';
import session, { MemoryStore, type Store } from 'express-session';
import type { Cluster, Redis } from 'ioredis';
import type { ResolvedConfig } from '../config/types.js';

/**
 * Builds the express-session middleware: connect-redis on the shared Redis (or a memory store in
 * development), a signed HttpOnly cookie with the configured Secure/SameSite flags and max age.
 * `saveUninitialized: false` means anonymous visitors create no session and no Redis key.
 */
export function createSessionMiddleware(
  config: ResolvedConfig,
  redis: Redis | Cluster | undefined,
): RequestHandler {
  return session({
    name: config.session.cookieName,
    secret: config.session.secrets,
    store: createSessionStore(config, redis),
    resave: false,
    saveUninitialized: false,
    rolling: false,
    unset: 'destroy',
    cookie: {
      httpOnly: true,
      secure: config.session.secure,
      sameSite: config.session.sameSite,
      path: '/',
      maxAge: config.session.maxAgeSeconds * 1000,
    },
  });
}

function createSessionStore(config: ResolvedConfig, redis: Redis | Cluster | undefined): Store {
  if (config.session.store) return config.session.store;
  // No touch: with rolling off the cookie's expiry is fixed at sign-in, and the Redis TTL set then matches it, so
  // express-session's per-request EXPIRE would be a second round trip on every request for nothing.
  if (redis) return new RedisStore({ client: redis, prefix: `${config.keyPrefix}sess:`, disableTouch: true });
  return new MemoryStore();
}
