/**
 * The routes under `mountPath`, in one Express router with full paths (no nested routers to enter and leave on
 * every auth request): login, callback (GET and form_post), logout, the provider list and the app-session
 * routes, each behind its rate limit, with the library's security headers and error handler.
 */
import express, { type RequestHandler, type Router } from 'express';
import helmet from 'helmet';
import type { RedisClient } from '../adapters/redis-client.js';
import type { ProviderLink, RouterContext } from '../context.js';
import { errorHandler } from '../middleware/error-handler.js';
import { createRateLimiter } from '../middleware/rate-limit.js';
import { sameOrigin } from '../middleware/same-origin.js';
import { addSessionRoutes } from './app-session.js';
import { backchannelLogoutRoute } from './backchannel-logout.js';
import { callbackRoute } from './callback.js';
import { loginRoute } from './login.js';
import { logoutRoute } from './logout.js';
import { logoutPageRoute } from './logout-page.js';
import { providerFor } from './provider-param.js';

/** Largest callback form body; a form_post callback carries a code and a state, a few hundred bytes. */
const CALLBACK_BODY_LIMIT = '16kb';

/**
 * Builds the router of the auth routes.
 *
 * @param context - The router context.
 * @param redis - The Redis client rate limits are kept in, if any.
 * @param listProviders - The provider list served at `GET <mountPath>/providers`.
 * @returns An Express router with full paths under `mountPath`.
 */
export function authRoutes(
  context: RouterContext,
  redis: RedisClient | undefined,
  listProviders: () => ProviderLink[],
): Router {
  const { config } = context;
  const auth = express.Router();
  const at = (path: string) => `${config.mountPath}${path}`;
  auth.use(config.mountPath, helmet(), (_req, res, next) => {
    res.set('Cache-Control', 'no-store');
    next();
  });
  const limit = (route: 'login' | 'callback' | 'logout' | 'session') => {
    const limiter = createRateLimiter(route, context, redis);
    return limiter ? [limiter] : [];
  };
  const knownProvider: RequestHandler = (req, _res, next) => {
    providerFor(req, context);
    next();
  };
  addSessionRoutes(auth, context, limit('session'));
  auth.get(at('/providers'), (_req, res) => {
    res.json(listProviders());
  });
  auth.get(at('/:provider/login'), ...limit('login'), loginRoute(context));
  auth.get(at('/:provider/callback'), ...limit('callback'), callbackRoute(context));
  auth.post(
    at('/:provider/callback'),
    ...limit('callback'),
    express.urlencoded({ extended: false, limit: CALLBACK_BODY_LIMIT, parameterLimit: 20 }),
    callbackRoute(context),
  );
  auth.post(
    at('/:provider/backchannel-logout'),
    ...limit('logout'),
    express.urlencoded({ extended: false, limit: '32kb', parameterLimit: 5 }),
    backchannelLogoutRoute(context),
  );
  auth.get([at('/logout'), at('/:provider/logout')], logoutPageRoute());
  auth.post(at('/logout'), ...limit('logout'), sameOrigin(config.baseUrl), logoutRoute(context));
  auth.post(
    at('/:provider/logout'),
    ...limit('logout'),
    sameOrigin(config.baseUrl),
    knownProvider,
    logoutRoute(context),
  );
  auth.use(config.mountPath, errorHandler(context));
  return auth;
}
