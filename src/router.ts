import { setTimeout as sleep } from 'node:timers/promises';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { DEFAULTS } from './config/defaults.js';
import { resolveConfig } from './config/resolve.js';
import type { OAuthRouterOptions } from './config/types.js';
import {
  createContext,
  getBearerFamily,
  type ProviderLink,
  type RouterContext,
  setBearerFamily,
  setContext,
} from './context.js';
import { OAuthRouterError } from './errors.js';
import type { RouterEvents } from './events.js';
import { sendError } from './middleware/error-handler.js';
import { ensureOAuthAccessor } from './middleware/oauth-request.js';
import { authRoutes } from './routes/auth-routes.js';
import { BearerSessions } from './session/app-sessions.js';
import { createSessionMiddleware, readSession } from './session/cookie-session.js';
import type { UserSession } from './session/user-sessions.js';
import type { ProviderAccess } from './tokens/provider-access.js';
import type { Disconnected } from './tokens/vault.js';
import type { LinkedAccount } from './users/types.js';
import type { UnlinkOptions } from './users/user-accounts.js';

/** The middleware returned by {@link oauthRouter}, with `close()` for shutdown and the provider list. */
export type OAuthRouter = RequestHandler & {
  /**
   * Graceful shutdown: waits for requests already in the router to finish (up to `timeoutMs`, default 10 s), then
   * closes the Redis connection the router opened from a URL (a client you passed in stays open). Stop your
   * HTTP server from accepting connections first (`server.close()`), then call this.
   */
  close(options?: { timeoutMs?: number }): Promise<void>;
  /**
   * A client-credentials access token for the app itself (no user), cached sealed until shortly before it
   * expires and renewed once at a time across instances. Needs `tokenEncryption`.
   * @see RFC 6749 §4.4
   */
  clientCredentials(provider: string, scopes?: string[]): Promise<string>;
  /**
   * Acts for a user at their connected providers without an HTTP request (a background job, a queue consumer, a
   * webhook), with exactly the guarantees of `req.oauth`, which is this for the signed-in user: refresh before
   * expiry and on a 401, one refresh at a time per connection across instances, `needs_reauth` marking and
   * `ReauthRequiredError`. Needs `tokenEncryption`.
   * @param userId - The user's id (`req.user.id` when they signed in).
   * @returns The user's {@link ProviderAccess}; nothing is read until a method is called.
   * @throws OAuthRouterError `invalid_request` for an empty id or one starting with `@` (reserved).
   * @example
   * ```ts
   * const res = await auth.forUser(job.userId).fetch('github', 'https://api.github.com/user/repos');
   * ```
   */
  forUser(userId: string): ProviderAccess;
  /**
   * Acts as the app itself with its app-level connections (one token for the whole app: a bot, a shared
   * workspace account), made by an admin through `GET <mountPath>/<provider>/login?connect=app` when
   * `hooks.allowAppConnection` allows it. Same guarantees as {@link OAuthRouter.forUser}.
   * @returns The app's {@link ProviderAccess}.
   * @example
   * ```ts
   * await auth.forApp().fetch('slack', 'https://slack.com/api/chat.postMessage', { method: 'POST', body });
   * ```
   */
  forApp(): ProviderAccess;
  /**
   * The configured providers with their login routes, to render sign-in buttons. Also served as JSON at
   * `GET <mountPath>/providers`.
   * @example
   * ```ts
   * app.get('/login', (req, res) => res.render('login', { providers: auth.providers() }));
   * ```
   */
  providers(): ProviderLink[];
  /**
   * Typed events for operators: sign-ins, failures, logouts, refreshes, connections, revocations, rate limiting,
   * store outages. Payloads never carry a token, code, state, cookie or secret.
   * @example
   * ```ts
   * auth.events.on('signIn', ({ provider, kind }) => metrics.increment('sign_in', { provider, kind }));
   * ```
   */
  readonly events: RouterEvents;
  /**
   * Users' account lifecycle, by user id, inside or outside a request: their devices (browser and app
   * sessions), signing one or all of them out on every instance, unlinking a provider, deleting a user.
   * @example
   * ```ts
   * app.get('/settings/devices', requireAuth(), async (req, res) => {
   *   res.json(await auth.users.sessions(req.user!.id, req));
   * });
   * app.post('/settings/sign-out-everywhere', requireAuth(), requireSameOrigin(), async (req, res) => {
   *   await auth.users.signOutEverywhere(req.user!.id);
   *   res.redirect(303, '/');
   * });
   * ```
   */
  readonly users: RouterUsers;
};

/** `router.users`: a user's devices and account lifecycle. Every method validates `userId` first. */
export interface RouterUsers {
  /**
   * The user's active browser and app sessions ("your devices"), newest first, with `current` set on the session
   * of `req` when given. Sessions from before sessions were indexed are not listed.
   */
  sessions(userId: string, req?: Request): Promise<UserSession[]>;
  /** Signs one session (an `id` from {@link RouterUsers.sessions}) out, on every instance. @returns false when there is no such session. */
  endSession(userId: string, sessionId: string): Promise<boolean>;
  /** Ends every browser and app session of the user, on every instance; connections are kept. */
  signOutEverywhere(userId: string): Promise<{ ended: number }>;
  /**
   * Unlinks a provider: revokes (unless `revoke: false`) and deletes its tokens, and removes the link so that
   * provider account no longer signs in to this user.
   * @throws OAuthRouterError `last_sign_in_method` for the user's only linked provider without `allowLast`;
   *   `not_connected` when the provider is neither linked nor connected.
   */
  unlink(
    userId: string,
    provider: string,
    options?: UnlinkOptions,
  ): Promise<{ unlinked: LinkedAccount[] } & Disconnected>;
  /** Deletes the user everywhere: sessions, connections (revoked where supported), links and the user. */
  delete(userId: string): Promise<{ sessionsEnded: number; connectionsRemoved: number }>;
}

/**
 * Per-user OAuth 2.0 / OpenID Connect sign-in for Express, in one `app.use`.
 *
 * Mounts the session middleware for the whole app (so `requireAuth()` and `req.user` work on every route)
 * and, under `mountPath` (default `/auth`): `GET /:provider/login`, `GET|POST /:provider/callback`,
 * `POST /:provider/logout` and `POST /logout`. Validates the configuration at once and throws a
 * `ConfigError` naming every bad field.
 *
 * @param options - See {@link OAuthRouterOptions}.
 * @returns Express middleware with a `close()` method.
 * @example
 * ```ts
 * app.use(oauthRouter({
 *   baseUrl: 'https://app.example.com',
 *   redis: process.env.REDIS_URL,
 *   session: { secret: process.env.SESSION_SECRET! },
 *   providers: { acme: { issuer: 'https://id.acme.example', clientId: '…', clientSecret: '…' } },
 * }));
 * app.get('/me', requireAuth(), (req, res) => res.json(req.user));
 * ```
 * @see RFC 6749 §4.1, RFC 7636, OpenID Connect Core §3.1
 */
export function oauthRouter(options: OAuthRouterOptions): OAuthRouter {
  const config = resolveConfig(options);
  const { context, redis, ownsRedis, sessionStore, listProviders } = createContext(config);
  const session = createSessionMiddleware(config, {
    store: sessionStore,
    onWriteError: (req, res, err) => sendError(req, res, err, context),
  });

  let inFlight = 0;
  // One function for every response: a per-request once() wrapper is an allocation and a removal each time.
  const finished = () => {
    inFlight -= 1;
  };
  // Requests outside mountPath skip Express's router entirely (one function call, no path matching per layer);
  // the prefix test is case-insensitive, as Express's router is by default.
  const mount = config.mountPath.toLowerCase();
  const dispatch = (req: Request, res: Response, next: NextFunction) => {
    const path = req.path;
    const inside =
      path.length >= mount.length &&
      path.slice(0, mount.length).toLowerCase() === mount &&
      (path.length === mount.length || path[mount.length] === '/');
    if (inside) auth(req, res, next);
    else next();
  };
  // `app.use('/auth', oauthRouter())`, the idiom other auth libraries teach, cannot work: the session this router
  // provides must reach every route. Say so on the first request instead of answering a silent 404.
  const appBase = config.baseUrl.pathname.replace(/\/$/, '');
  let warnedMount = false;
  const router: RequestHandler = (req, res, next) => {
    if (req.baseUrl !== '' && req.baseUrl !== appBase) {
      misMounted(req, res);
      return;
    }
    inFlight += 1;
    res.on('close', finished);
    setContext(req, context);
    ensureOAuthAccessor(req);
    // A store outage must not leave the request looking signed out (or in): answer 503 and stop.
    session(req, res, (err?: unknown) => {
      if (err) {
        sendError(req, res, err, context);
        return;
      }
      const user = readSession(req)?.oauth?.user;
      if (user) {
        req.user = user;
        dispatch(req, res, next);
        return;
      }
      // Apps without cookies send a bearer session token; only ours (by prefix) costs a store lookup.
      const token = context.bearer ? BearerSessions.bearerToken(req.get('authorization')) : undefined;
      if (!token || !context.bearer) {
        dispatch(req, res, next);
        return;
      }
      context.bearer.authenticate(token).then(
        (found) => {
          if (found) {
            req.user = found.user;
            setBearerFamily(req, found.familyId);
          }
          dispatch(req, res, next);
        },
        (err: unknown) => sendError(req, res, err, context),
      );
    });
  };

  const misMounted = (req: Request, res: Response) => {
    const err = new OAuthRouterError(
      'invalid_config',
      `oauthRouter() is mounted at '${req.baseUrl}' (app.use('${req.baseUrl}', oauthRouter(…))): mount it at the app's root instead, app.use(oauthRouter({ … })), so its session reaches every route; its own routes live under mountPath ('${config.mountPath}')${config.mountPath === req.baseUrl ? '' : `, or set mountPath: '${req.baseUrl}'`}`,
    );
    if (!warnedMount) {
      warnedMount = true;
      config.logger.error(`express-oauth-router: ${err.message}`);
    }
    res.set('Cache-Control', 'no-store');
    res.status(err.status).json(err.toJSON());
  };

  const auth = authRoutes(context, redis, listProviders);

  return Object.assign(router, {
    async close(options: { timeoutMs?: number } = {}) {
      // Let requests already running finish (a callback mid-exchange still needs Redis), then disconnect.
      const deadline = Date.now() + (options.timeoutMs ?? DEFAULTS.closeTimeoutMs);
      while (inFlight > 0 && Date.now() < deadline) await sleep(10);
      if (ownsRedis && redis) await redis.quit().catch(() => redis.disconnect());
    },
    providers: listProviders,
    forUser: (userId: string) => context.providerAccess({ userId }),
    forApp: () => context.providerAccess('app'),
    events: context.events,
    users: routerUsers(context),
    async clientCredentials(provider: string, scopes: string[] = []) {
      if (!context.vault)
        throw new OAuthRouterError(
          'invalid_config',
          'clientCredentials() needs tokenEncryption to cache the token',
        );
      return context.vault.clientCredentials(provider, scopes);
    },
  });
}

function routerUsers(context: RouterContext): RouterUsers {
  const { accounts } = context;
  const checked = (userId: unknown): string => {
    if (typeof userId !== 'string' || userId === '' || userId.startsWith('@')) {
      throw new OAuthRouterError(
        'invalid_request',
        'A user id must be a non-empty string not starting with "@" (reserved for the app\'s own connections)',
      );
    }
    return userId;
  };
  return {
    sessions: async (userId, req) =>
      accounts.sessions(
        checked(userId),
        req ? { sessionId: req.sessionID, familyId: getBearerFamily(req) } : undefined,
      ),
    endSession: async (userId, sessionId) => accounts.endSession(checked(userId), sessionId),
    signOutEverywhere: async (userId) => accounts.signOutEverywhere(checked(userId)),
    unlink: async (userId, provider, options) => accounts.unlink(checked(userId), provider, options),
    delete: async (userId) => accounts.delete(checked(userId)),
  };
}
