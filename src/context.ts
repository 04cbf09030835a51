/**
 * The router's context: everything its handlers share, built once from the resolved config by
 * {@link createContext} (the stores the config chose or the defaults for Redis / memory, one openid-client
 * configuration per provider, the token vault, app sessions), and the request slots that let standalone helpers
 * (`requireAuth()`, `req.oauth`) find it. Wiring lives here; `router.ts` only routes requests.
 */
import type { Request } from 'express';
import type { KvStore } from './adapters/kv-store.js';
import { MemoryKvStore } from './adapters/memory/kv-store.js';
import { MemoryRefreshLock } from './adapters/memory/refresh-lock.js';
import { MemorySessionIndex } from './adapters/memory/session-index.js';
import { MemoryTokenRepository } from './adapters/memory/token-repository.js';
import { MemoryUserRepository } from './adapters/memory/user-repository.js';
import { createRedisClient } from './adapters/redis/client.js';
import { RedisKvStore } from './adapters/redis/kv-store.js';
import { RedisRefreshLock } from './adapters/redis/refresh-lock.js';
import { RedisSessionIndex } from './adapters/redis/session-index.js';
import { RedisTokenRepository } from './adapters/redis/token-repository.js';
import { RedisUserRepository } from './adapters/redis/user-repository.js';
import type { RedisClient } from './adapters/redis-client.js';
import { storeBackoff } from './client/provider-backoff.js';
import { createProviderClient, type ProviderClient } from './client/provider-client.js';
import type { ResolvedConfig } from './config/types.js';
import { OAuthRouterError } from './errors.js';
import { RouterEvents } from './events.js';
import { BearerSessions } from './session/app-sessions.js';
import { createSessionStore, type SessionStore } from './session/session-store.js';
import { UserSessions } from './session/user-sessions.js';
import { countEvents } from './telemetry/otel.js';
import {
  APP_OWNER,
  createProviderAccess,
  isUserOwner,
  type ProviderAccess,
} from './tokens/provider-access.js';
import { TokenVault } from './tokens/vault.js';
import type { UserRepository } from './users/types.js';
import { UserAccounts } from './users/user-accounts.js';

/** Everything a request handler of this library needs, built once by `oauthRouter()`. */
export interface RouterContext {
  config: ResolvedConfig;
  kvStore: KvStore;
  users: UserRepository;
  providerClients: Map<string, ProviderClient>;
  /** Present when tokens can be kept (tokenEncryption configured). */
  vault: TokenVault | undefined;
  /** Present when app callbacks (bearer sessions) are configured. */
  bearer: BearerSessions | undefined;
  /** Each user's browser and app sessions: recorded at sign-in, listed, ended. */
  userSessions: UserSessions;
  /** Account lifecycle (`router.users`). */
  accounts: UserAccounts;
  /** The login route of a provider, relative to the origin. */
  loginUrl(provider: string): string;
  /**
   * Acts at providers with the connections of a user, or of the app itself.
   * @throws OAuthRouterError `invalid_config` without a vault, `invalid_request` for a malformed user id.
   */
  providerAccess(owner: { userId: string } | 'app'): ProviderAccess;
  /** Set once the library has warned that Secure cookies are being dropped over plain http. */
  warnedInsecureRequest: boolean;
  /** What the router tells operators (`router.events`). */
  events: RouterEvents;
}

// Symbol-keyed slots on the request rather than WeakMaps: no name clash with other middleware either way, but
// a WeakMap entry per request costs the garbage collector far more (ephemeron processing) than a property does;
// bench/RESULTS.md ("No WeakMaps per request") has the measurement.
const CONTEXT = Symbol('express-oauth-router.context');
const BEARER_FAMILY = Symbol('express-oauth-router.bearerFamily');

interface RequestSlots {
  [CONTEXT]?: RouterContext;
  [BEARER_FAMILY]?: string;
}

/** Records which router handled a request, so standalone helpers like `requireAuth()` can find its config. */
export function setContext(req: Request, context: RouterContext): void {
  (req as RequestSlots)[CONTEXT] = context;
}

/** Records that a request is authenticated by a bearer session of this family (for logout). */
export function setBearerFamily(req: Request, familyId: string): void {
  (req as RequestSlots)[BEARER_FAMILY] = familyId;
}

/** @returns The bearer session family that authenticated the request, if any. */
export function getBearerFamily(req: Request): string | undefined {
  return (req as RequestSlots)[BEARER_FAMILY];
}

/** @returns The router context of the request, or undefined when `oauthRouter()` did not see it. */
export function getContext(req: Request): RouterContext | undefined {
  return (req as RequestSlots)[CONTEXT];
}

/** A provider as a sign-in page shows it. */
export interface ProviderLink {
  /** The key under `providers`. */
  name: string;
  /** Name for the button. */
  displayName: string;
  /** The login route, relative to the app's origin; add `?returnTo=/path` to come back somewhere. */
  loginUrl: string;
}

/** What {@link createContext} builds for the router. */
export interface RouterParts {
  context: RouterContext;
  /** The Redis client in use, if any (opened from a URL here, or the app's own). */
  redis: RedisClient | undefined;
  /** True when the client was opened here from a URL, so `close()` must quit it. */
  ownsRedis: boolean;
  /** Where cookie sessions live. */
  sessionStore: SessionStore;
  /** The configured providers with their login routes. */
  listProviders(): ProviderLink[];
}

/**
 * Builds the router's shared parts from a resolved config: the app's own stores where given, else the Redis
 * ones on `redis`, else in-memory ones.
 *
 * @param config - The resolved configuration.
 * @returns The context and the parts the router wires into Express.
 */
export function createContext(config: ResolvedConfig): RouterParts {
  const ownsRedis = typeof config.redis === 'string';
  const redis: RedisClient | undefined =
    typeof config.redis === 'string' ? createRedisClient(config.redis) : config.redis;
  if (ownsRedis && redis) {
    // Without a listener ioredis prints every reconnect failure as an unhandled 'error' event.
    redis.on('error', (err: Error) =>
      config.logger.error('express-oauth-router: Redis error', { cause: err.message }),
    );
  }
  const loginUrl = (provider: string) =>
    `${config.baseUrl.pathname.replace(/\/$/, '')}${config.mountPath}/${provider}/login`;
  // The app's connections are (re)made by an admin through the login route with connect=app.
  const ownerLoginUrl = (provider: string, owner: string) =>
    owner === APP_OWNER ? `${loginUrl(provider)}?connect=app` : loginUrl(provider);
  const kvStore = config.kvStore ?? (redis ? new RedisKvStore(redis) : new MemoryKvStore());
  const backoff = storeBackoff(kvStore, config.keyPrefix);
  const providerClients = new Map(
    [...config.providers].map(([name, p]) => [name, createProviderClient(p, backoff)]),
  );
  const events = new RouterEvents((event, err) =>
    config.logger.error(`express-oauth-router: a listener of the ${event} event threw`, {
      cause: err instanceof Error ? `${err.name}: ${err.message}` : String(err),
    }),
  );
  countEvents(events);
  const vault = config.keyring
    ? new TokenVault({
        repository:
          config.tokenRepository ??
          (redis ? new RedisTokenRepository(redis, config.keyPrefix) : new MemoryTokenRepository()),
        keyring: config.keyring,
        lock: redis ? new RedisRefreshLock(redis) : new MemoryRefreshLock(),
        lockPrefix: config.keyPrefix,
        providerClients,
        loginUrl: ownerLoginUrl,
        skewSeconds: config.refresh.skewSeconds,
        lockTtlMs: config.refresh.lockTtlMs,
        logger: config.logger,
        events,
      })
    : undefined;
  const bearer = config.appCallbacks
    ? new BearerSessions(kvStore, config.keyPrefix, {
        exchangeCode: config.appCallbacks.exchangeCode,
        accessToken: config.appCallbacks.accessToken,
        refreshToken: config.appCallbacks.refreshToken,
        session: config.appCallbacks.sessionLifetime,
      })
    : undefined;
  const users =
    config.userRepository ??
    (redis ? new RedisUserRepository(redis, config.keyPrefix) : new MemoryUserRepository());
  const sessionStore = createSessionStore(config, redis);
  const userSessions = new UserSessions({
    index: redis ? new RedisSessionIndex(redis, config.keyPrefix) : new MemorySessionIndex(),
    kv: kvStore,
    keyPrefix: config.keyPrefix,
    store: sessionStore,
    bearer,
    browserLifetimeMs: config.session.maxAgeSeconds * 1000,
    appLifetimeMs: (config.appCallbacks?.sessionLifetime ?? 0) * 1000,
    recordIp: config.session.recordIp,
  });
  const context: RouterContext = {
    config,
    kvStore,
    bearer,
    userSessions,
    accounts: new UserAccounts({
      users,
      appOwnsUsers: config.hooks.findOrCreateUser !== undefined,
      vault,
      sessions: userSessions,
      events,
      logger: config.logger,
    }),
    users,
    providerClients,
    vault,
    loginUrl,
    providerAccess(owner) {
      if (!vault) {
        throw new OAuthRouterError(
          'invalid_config',
          'Calling providers with stored connections needs tokenEncryption and a provider in integration mode',
        );
      }
      if (owner !== 'app' && !isUserOwner(owner.userId)) {
        throw new OAuthRouterError(
          'invalid_request',
          'A user id must be a non-empty string not starting with "@" (reserved for the app\'s own connections)',
        );
      }
      const id = owner === 'app' ? APP_OWNER : owner.userId;
      return createProviderAccess({
        vault,
        providers: config.providers,
        owner: id,
        loginUrl: (provider) => ownerLoginUrl(provider, id),
      });
    },
    warnedInsecureRequest: false,
    events,
  };
  const listProviders = (): ProviderLink[] =>
    [...config.providers.values()].map((p) => ({
      name: p.name,
      displayName: p.displayName,
      loginUrl: loginUrl(p.name),
    }));
  return { context, redis, ownsRedis, sessionStore, listProviders };
}
