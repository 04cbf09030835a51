import { createHash } from 'node:crypto';
import type { Request } from 'express';
import type { SessionData, Store } from 'express-session';
import type { KvStore } from '../adapters/kv-store.js';
import type { BearerSessions } from './app-sessions.js';
import type { ProviderOrigin, SessionIndex, SessionIndexEntry } from './session-index.js';

/** One of a user's active sessions ("your devices"), without anything secret. */
export interface UserSession {
  /** Pass it to `router.users.endSession()` to sign that device out. */
  id: string;
  /** `browser`: a cookie session. `app`: an app session (mobile or single-page app, bearer tokens). */
  kind: 'browser' | 'app';
  /** The provider the user signed in with. */
  provider: string;
  createdAt: Date;
  /** When the session ends at the latest. */
  expiresAt: Date;
  /** The User-Agent at sign-in (at most 256 characters). */
  userAgent: string | null;
  /** The client address at sign-in; null unless `session.recordIp` is on. */
  ip: string | null;
  /** True for the session of the request passed to `sessions()`. */
  current: boolean;
}

/** What {@link UserSessions} is built from. */
export interface UserSessionsOptions {
  index: SessionIndex;
  /** Where (provider, sub) and (provider, sid) point at our user, for back-channel logout. */
  kv: KvStore;
  keyPrefix: string;
  /** The cookie session store (connect-redis, memory, or the app's). */
  store: Store;
  bearer: BearerSessions | undefined;
  /** Lifetime of a cookie session. */
  browserLifetimeMs: number;
  /** Absolute lifetime of an app session (0 without app sessions). */
  appLifetimeMs: number;
  /** Record the client address at sign-in. */
  recordIp: boolean;
}

/**
 * A user's sessions across browsers and apps: recorded at sign-in, listed (each checked against its store, so a
 * session that ended by logout, expiry or reuse detection is not shown), and ended one by one or all at once.
 * Ending a session deletes it from the shared store, so it ends on every app instance at the next request.
 */
export class UserSessions {
  readonly #o: UserSessionsOptions;

  /** @param options - Index, stores and lifetimes. */
  constructor(options: UserSessionsOptions) {
    this.#o = options;
  }

  /** Records the cookie session a sign-in just saved (`req.sessionID`). */
  async recordBrowser(
    req: Request,
    userId: string,
    provider: string,
    origin?: ProviderOrigin,
  ): Promise<void> {
    const now = Date.now();
    const expiresAt = now + this.#o.browserLifetimeMs;
    await this.#remember(userId, provider, origin);
    await this.#o.index.add(
      userId,
      this.#entry(req, 'browser', req.sessionID, provider, now, expiresAt, origin),
    );
  }

  /** Records an app session (a bearer family) an exchange just created. */
  async recordApp(
    req: Request,
    userId: string,
    familyId: string,
    provider: string,
    expiresAt: number,
    origin?: ProviderOrigin,
  ): Promise<void> {
    await this.#remember(userId, provider, origin);
    await this.#o.index.add(
      userId,
      this.#entry(req, 'app', familyId, provider, Date.now(), expiresAt, origin),
    );
  }

  /**
   * Ends the sessions a provider's back-channel logout names: those from its session `sid`, or, with `sub`
   * alone, every session of that provider user that came from this provider.
   * @returns How many sessions were ended.
   */
  async endFromProvider(provider: string, target: { sub?: string; sid?: string }): Promise<number> {
    const userId =
      (target.sid && (await this.#o.kv.get(this.#originKey(provider, 'sid', target.sid)))) ||
      (target.sub && (await this.#o.kv.get(this.#originKey(provider, 'sub', target.sub))));
    if (!userId) return 0;
    const chosen = (await this.#o.index.list(userId)).filter(
      (e) => e.provider === provider && (target.sid === undefined || e.providerSid === target.sid),
    );
    for (const entry of chosen) {
      await this.#o.index.remove(userId, entry.id);
      await this.#endOne(entry);
    }
    return chosen.length;
  }

  async #remember(userId: string, provider: string, origin: ProviderOrigin | undefined): Promise<void> {
    if (!origin) return;
    // As long as the longest session of either kind may live from now: each sign-in rewrites the key, and a
    // shorter TTL must never cut short the way to an earlier, longer-lived session.
    const ttl = Math.ceil(Math.max(this.#o.browserLifetimeMs, this.#o.appLifetimeMs) / 1000);
    await this.#o.kv.set(this.#originKey(provider, 'sub', origin.sub), userId, ttl);
    if (origin.sid) await this.#o.kv.set(this.#originKey(provider, 'sid', origin.sid), userId, ttl);
  }

  // Provider identifiers are hashed: keys name no one.
  #originKey(provider: string, kind: 'sub' | 'sid', value: string): string {
    const hash = createHash('sha256').update(value).digest('base64url');
    return `${this.#o.keyPrefix}provider-${kind}:${provider}:${hash}`;
  }

  /** Drops a session that ended (logout) from the index. */
  async forget(userId: string, kind: 'browser' | 'app', ref: string): Promise<void> {
    await this.#o.index.remove(userId, entryId(kind, ref));
  }

  /**
   * The user's live sessions, newest first.
   * @param current - The request asking, to mark its own session `current`.
   */
  async list(userId: string, current?: { sessionId?: string; familyId?: string }): Promise<UserSession[]> {
    const sessions: UserSession[] = [];
    for (const entry of await this.#o.index.list(userId)) {
      if (!(await this.#alive(userId, entry))) {
        await this.#o.index.remove(userId, entry.id);
        continue;
      }
      sessions.push({
        id: entry.id,
        kind: entry.kind,
        provider: entry.provider,
        createdAt: new Date(entry.createdAt),
        expiresAt: new Date(entry.expiresAt),
        userAgent: entry.userAgent,
        ip: entry.ip,
        current:
          (entry.kind === 'browser' && entry.ref === current?.sessionId) ||
          (entry.kind === 'app' && entry.ref === current?.familyId),
      });
    }
    return sessions.sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime());
  }

  /** Ends one session of the user. @returns false when the user has no such session. */
  async end(userId: string, id: string): Promise<boolean> {
    const entry = (await this.#o.index.list(userId)).find((e) => e.id === id);
    if (!entry) return false;
    await this.#o.index.remove(userId, id);
    await this.#endOne(entry);
    return true;
  }

  /** Ends every indexed session of the user, browser and app alike. @returns How many were ended. */
  async endAll(userId: string): Promise<number> {
    const entries = await this.#o.index.takeAll(userId);
    for (const entry of entries) await this.#endOne(entry);
    return entries.length;
  }

  async #endOne(entry: SessionIndexEntry): Promise<void> {
    if (entry.kind === 'app') {
      await this.#o.bearer?.revoke(entry.ref);
      return;
    }
    await new Promise<void>((resolve, reject) =>
      this.#o.store.destroy(entry.ref, (err?: unknown) => (err ? reject(err) : resolve())),
    );
  }

  async #alive(userId: string, entry: SessionIndexEntry): Promise<boolean> {
    if (entry.kind === 'app') return (await this.#o.bearer?.alive(entry.ref)) ?? false;
    const data = await new Promise<SessionData | null | undefined>((resolve, reject) =>
      this.#o.store.get(entry.ref, (err: unknown, session?: SessionData | null) =>
        err ? reject(err) : resolve(session),
      ),
    );
    return data?.oauth?.user.id === userId;
  }

  #entry(
    req: Request,
    kind: 'browser' | 'app',
    ref: string,
    provider: string,
    createdAt: number,
    expiresAt: number,
    origin: ProviderOrigin | undefined,
  ): SessionIndexEntry {
    const userAgent = req.get('user-agent');
    return {
      ...(origin?.sid ? { providerSid: origin.sid } : {}),
      id: entryId(kind, ref),
      kind,
      ref,
      provider,
      createdAt,
      expiresAt,
      userAgent: userAgent ? userAgent.slice(0, 256) : null,
      ip: this.#o.recordIp ? (req.ip ?? null) : null,
    };
  }
}

/** The public id of a session: a hash of its secret reference, so lists never show a session id. */
function entryId(kind: 'browser' | 'app', ref: string): string {
  return createHash('sha256').update(`${kind}\u0000${ref}`).digest('base64url').slice(0, 22);
}
