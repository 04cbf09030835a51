import type { RequestHandler } from 'express';
import { rateLimit } from 'express-rate-limit';
import type { Cluster, Redis } from 'ioredis';
import { RedisStore } from 'rate-limit-redis';
import { OAuthRouterError } from '../errors.js';
import type { RouterContext } from './context.js';
import { sendError } from './error-handler.js';

/**
 * Limits requests per client IP to one kind of auth route (`login`, `callback`, `logout`), in Redis when the
 * router has one so the limit holds across instances (express-rate-limit + rate-limit-redis). The client IP is
 * Express's `req.ip`, so it honours `app.set('trust proxy', …)`. Over the limit: 429 `rate_limited` with
 * `Retry-After`. A store outage fails closed (503), like every other store access.
 */
export function createRateLimiter(
  route: 'login' | 'callback' | 'logout' | 'session',
  context: RouterContext,
  redis: Redis | Cluster | undefined,
): RequestHandler | undefined {
  const settings = context.config.rateLimit;
  if (!settings) return undefined;
  const windowMs = settings.windowSeconds * 1000;
  return rateLimit({
    windowMs,
    limit: settings.max,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    store: redis ? redisStore(redis, `${context.config.keyPrefix}rl:${route}:`) : undefined,
    handler: (req, res) => {
      // The window length is an upper bound of the wait; the RateLimit header carries the exact reset.
      res.set('Retry-After', String(settings.windowSeconds));
      sendError(
        req,
        res,
        new OAuthRouterError('rate_limited', `Too many ${route} requests from one client`),
        context,
      );
    },
  });
}

function redisStore(redis: Redis | Cluster, prefix: string): RedisStore {
  const store =
    'nodes' in redis && typeof redis.nodes === 'function'
      ? new RedisStore({
          prefix,
          sendCommandCluster: ({ command }) =>
            (redis as Cluster).call(command[0] as string, ...command.slice(1)) as never,
        })
      : new RedisStore({
          prefix,
          sendCommand: (command, ...args) => (redis as Redis).call(command, ...args) as never,
        });
  // The store loads its scripts at construction without a rejection handler; with Redis down at boot that would
  // be an unhandled rejection (fatal on Node 20). It reloads them on first use anyway.
  store.incrementScriptSha.catch(() => {});
  store.getScriptSha.catch(() => {});
  return store;
}
