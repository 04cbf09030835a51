/**
 * What an operator can see: typed events the router emits for sign-ins, logouts, refreshes, connections,
 * revocations, rate limiting and store outages. Payloads name users, providers and outcome codes only: never a
 * token, code, state, verifier, cookie or secret.
 */
import { EventEmitter } from 'node:events';
import type { ErrorCode } from './errors.js';

/** Every event of {@link RouterEvents}, by name, with its payload. */
export interface OAuthRouterEventMap {
  /** A sign-in completed: `new` user, `returning` user, or a provider account `linked` to an existing user. */
  signIn: { provider: string; userId: string; kind: 'new' | 'returning' | 'linked'; app: boolean };
  /** A sign-in failed, with our stable code and the provider's own error code when it gave one. */
  signInFailed: { provider: string | undefined; code: ErrorCode; providerError: string | undefined };
  /** A session ended (`POST <mountPath>/logout`): a browser session, or an app session (`app: true`). */
  logout: { userId: string | undefined; provider: string | undefined; app: boolean };
  /** A connection's tokens were refreshed. */
  refresh: { userId: string; provider: string };
  /**
   * A refresh failed: `transient` (the provider or network failed; the refresh token is kept) or `needs_reauth`
   * (the refresh token was refused: the user must sign in to the provider again).
   */
  refreshFailed: {
    userId: string;
    provider: string;
    reason: 'transient' | 'needs_reauth';
    code: ErrorCode;
    providerError: string | undefined;
  };
  /** A connection was stored for the first time (integration mode, or a reconnect after removal). */
  connectionCreated: { userId: string; provider: string };
  /**
   * A grant came without a refresh token, and none was held: the connection works until its access token
   * expires, then needs the user again. The log line next to it names the usual cause for the provider.
   */
  refreshTokenMissing: { userId: string; provider: string };
  /** A connection was removed (disconnect). */
  connectionRemoved: { userId: string; provider: string };
  /** A connection was marked as needing the user to sign in again. */
  connectionNeedsReauth: { userId: string; provider: string };
  /** Tokens were revoked at the provider (`ok`), the provider has no revocation (`not_supported`), or it failed. */
  revocation: { userId: string; provider: string; outcome: 'ok' | 'not_supported' | 'failed' };
  /** A provider's back-channel logout ended this many sessions (0 when none of ours matched). */
  backchannelLogout: { provider: string; sessions: number };
  /** Sessions of a user were ended by the app (`router.users.endSession()` or `signOutEverywhere()`). */
  sessionsEnded: { userId: string; count: number };
  /** A provider was unlinked from a user (`router.users.unlink()`). */
  accountUnlinked: { userId: string; provider: string };
  /** A user was deleted with everything of theirs (`router.users.delete()`). */
  userDeleted: { userId: string };
  /** A client went over the rate limit of an auth route kind. */
  rateLimited: { route: 'login' | 'callback' | 'logout' | 'session' };
  /** A request failed closed because the store (Redis, PostgreSQL or your own) was unreachable. */
  storeUnavailable: { path: string };
}

/** The name of an event of {@link RouterEvents}. */
export type OAuthRouterEventName = keyof OAuthRouterEventMap;

/**
 * The router's events (`router.events`): an EventEmitter whose `on`/`once`/`off` are typed by
 * {@link OAuthRouterEventMap}. A listener that throws is logged and never breaks the request that emitted.
 *
 * @example
 * ```ts
 * router.events.on('signInFailed', ({ provider, code, providerError }) => {
 *   metrics.increment('sign_in_failed', { provider: provider ?? 'unknown', code, providerError: providerError ?? '' });
 * });
 * ```
 */
export class RouterEvents extends EventEmitter {
  readonly #onListenerError: (event: string, err: unknown) => void;

  /** @param onListenerError - Told when a listener throws (the router logs it). */
  constructor(onListenerError: (event: string, err: unknown) => void = () => {}) {
    super({ captureRejections: false });
    this.#onListenerError = onListenerError;
  }

  /** Listens to an event. */
  override on<K extends OAuthRouterEventName>(
    event: K,
    listener: (payload: OAuthRouterEventMap[K]) => void,
  ): this {
    return super.on(event, listener);
  }

  /** Listens to the next occurrence of an event. */
  override once<K extends OAuthRouterEventName>(
    event: K,
    listener: (payload: OAuthRouterEventMap[K]) => void,
  ): this {
    return super.once(event, listener);
  }

  /** Stops listening. */
  override off<K extends OAuthRouterEventName>(
    event: K,
    listener: (payload: OAuthRouterEventMap[K]) => void,
  ): this {
    return super.off(event, listener);
  }

  /**
   * Emits an event to its listeners, synchronously; a listener's exception is reported, not thrown.
   * @returns Whether the event had listeners.
   */
  override emit<K extends OAuthRouterEventName>(event: K, payload: OAuthRouterEventMap[K]): boolean {
    if (this.listenerCount(event) === 0) return false;
    for (const listener of this.listeners(event)) {
      try {
        (listener as (payload: OAuthRouterEventMap[K]) => void)(payload);
      } catch (err) {
        this.#onListenerError(event, err);
      }
    }
    return true;
  }
}
