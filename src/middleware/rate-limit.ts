import type { RequestHandler } from 'express';
import { rateLimit } from 'express-rate-limit';
import { rateLimitStore } from '../adapters/redis/rate-limit-store.js';
import type { RedisClient } from '../adapters/redis-client.js';
import type { RouterContext } from '../context.js';
import { OAuthRouterError } from '../errors.js';
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
  redis: RedisClient | undefined,
): RequestHandler | undefined {
  const settings = context.config.rateLimit;
  if (!settings) return undefined;
  const windowMs = settings.windowSeconds * 1000;
  const { logger } = context.config;
  // A 429 storm (a script, a crawler) must not flood the log: one line per window, counting the rest.
  let lastLogged = 0;
  let unlogged = 0;
  const note = () => {
    const now = Date.now();
    if (now - lastLogged < windowMs) {
      unlogged++;
      return;
    }
    logger.warn(
      `express-oauth-router: ${route} requests rate limited (${settings.max} per ${settings.windowSeconds} s per client address)${unlogged ? `; ${unlogged} more since the last such line` : ''}`,
    );
    lastLogged = now;
    unlogged = 0;
  };
  return rateLimit({
    windowMs,
    limit: settings.max,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    store: redis ? rateLimitStore(redis, `${context.config.keyPrefix}rl:${route}:`) : undefined,
    // express-rate-limit's own configuration checks (e.g. a proxy header without `trust proxy`) go to our logger.
    logger: {
      warn: (error) => logger.warn(`express-oauth-router: express-rate-limit: ${describe(error)}`),
      error: (error) => logger.error(`express-oauth-router: express-rate-limit: ${describe(error)}`),
    },
    handler: (req, res) => {
      note();
      context.events.emit('rateLimited', { route });
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

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' ? `${code}: ${error.message}` : error.message;
}
