/**
 * session/: how a request is tied to a user. Cookie sessions (this file, with express-session's `req.session`
 * API; the only folder that touches express-session), app sessions for SPAs and mobile apps (app-sessions.ts:
 * exchange codes and bearer tokens) and the cookie that binds a login to the browser that started it.
 */
import { randomBytes } from 'node:crypto';
import type { Request, RequestHandler, Response } from 'express';
import type { Session, SessionData, Store } from 'express-session';
import onHeaders from 'on-headers';
import type { ResolvedConfig } from '../config/types.js';
import { requestAccessor } from '../middleware/request-accessor.js';
import { storeView } from './express-session-internals.js';
import { readSessionId, sessionCookieHeader } from './session-cookie.js';

/** What the session middleware needs besides the resolved config. */
export interface SessionMiddlewareOptions {
  /** An express-session store: connect-redis, the memory store, or the app's own. */
  store: Store;
  /**
   * Answers a request whose session change could not be stored (the store is down): the response the app
   * wrote is dropped, so a client never sees success for a write that was lost.
   */
  onWriteError(req: Request, res: Response, err: unknown): void;
}

type LiveSession = Session & Partial<SessionData>;

/**
 * The session layer, with express-session's `req.session` API, cookie format, store interface and stored shape,
 * and one store read per request that carries a session cookie. Nothing more runs unless the request touches
 * `req.session`:
 *
 * - express-session builds a Session and a Cookie, hashes the session three or four times (JSON + SHA-1) and
 *   hooks the response on every request. Here `req.session` is built on first access only, so `requireAuth()` and
 *   routes that only read `req.user` cost a cookie check and one store read.
 * - Sessions are absolute: the expiry set at sign-in (cookie and store TTL alike) is never pushed back, so there
 *   is no per-request touch (a second store round trip in express-session + connect-redis).
 * - A session write that fails at the end of a response fails closed (the response becomes 503
 *   `store_unavailable`, or the connection is cut if it was already streaming), where express-session sends the
 *   app's response and loses the write.
 * - As with express-session's `saveUninitialized: false`, a new session is stored, and its cookie set, only once
 *   something is written to it.
 *
 * @see https://github.com/expressjs/session for the API this keeps.
 */
export function createSessionMiddleware(
  config: ResolvedConfig,
  options: SessionMiddlewareOptions,
): RequestHandler {
  const store = storeView(options.store, storeGenerate);
  const settings: SessionSettings = {
    name: config.session.cookieName,
    secrets: config.session.secrets,
    store,
    onWriteError: options.onWriteError,
    maxAgeMs: config.session.maxAgeSeconds * 1000,
    cookie: {
      httpOnly: true,
      secure: config.session.secure,
      sameSite: config.session.sameSite,
      path: '/',
    },
  };
  return (req, res, next) => {
    const cookieId = readSessionId(req.headers.cookie, settings.name, settings.secrets);
    if (cookieId === undefined) {
      attach(req, new SessionState(req, res, settings, undefined, undefined));
      next();
      return;
    }
    store.get(cookieId, (err, data) => {
      if (err) {
        next(err);
        return;
      }
      attach(req, new SessionState(req, res, settings, cookieId, data ?? undefined));
      next();
    });
  };
}

/**
 * The session data of a request without building `req.session`: what the store returned, or the live session once
 * something built or replaced it. Undefined when the request has no stored session.
 */
export function readSession(req: Request): Partial<SessionData> | undefined {
  const state = stateOf(req);
  if (!state) return undefined;
  return state.session === undefined ? state.loaded : (state.session ?? undefined);
}

interface SessionSettings {
  name: string;
  secrets: string[];
  store: Express.SessionStore;
  onWriteError: SessionMiddlewareOptions['onWriteError'];
  maxAgeMs: number;
  cookie: { httpOnly: true; secure: boolean; sameSite: 'lax' | 'strict'; path: '/' };
}

// A symbol-keyed slot on the request, not a WeakMap: a WeakMap entry per request is far dearer for the garbage
// collector (see bench/RESULTS.md, "No WeakMaps per request"). Typed on `object` because
// express-session's store.generate(req) passes the global Express.Request.
const STATE = Symbol('express-oauth-router.session');
type WithState = { [STATE]?: SessionState };
const stateOf = (req: object): SessionState | undefined => (req as WithState)[STATE];

// `req.session` is built on first read. Without state of ours (another app in the process, or express-session
// itself) it acts as a plain property.
const ensureSessionAccessor = requestAccessor<LiveSession | null>('session', {
  get: (req) => stateOf(req)?.materialize() ?? undefined,
  set(req, value) {
    const state = stateOf(req);
    state?.replace(value);
    return state !== undefined;
  },
});

function attach(req: Request, state: SessionState): void {
  (req as WithState)[STATE] = state;
  // A plain property: the id of the stored session, or undefined until a new session is generated.
  if (state.cookieId !== undefined && state.loaded) req.sessionID = state.cookieId;
  ensureSessionAccessor(req);
}

/** One request's session: loaded data, the live `req.session` once built, and what the store holds. */
class SessionState {
  /** The live session; undefined until first access, null once unset. */
  session: LiveSession | null | undefined = undefined;
  /** The id the store holds data for (from the cookie, or saved during this request). */
  #storedId: string | undefined;
  /** The session as the store holds it (or, for a new session, as generated): JSON without the cookie. */
  #savedJson: string | undefined;
  #hooked = false;
  #writeFailed = false;

  constructor(
    readonly req: Request,
    readonly res: Response,
    readonly settings: SessionSettings,
    readonly cookieId: string | undefined,
    readonly loaded: SessionData | undefined,
  ) {
    if (loaded) this.#storedId = cookieId;
  }

  materialize(): LiveSession | null | undefined {
    if (this.session !== undefined) return this.session;
    this.req.sessionStore = this.settings.store;
    if (this.loaded) {
      this.settings.store.createSession(this.req, this.loaded);
      this.#savedJson = this.session ? snapshot(this.session) : undefined;
    } else {
      this.generate();
    }
    return this.session;
  }

  /** A fresh, empty session under a new id (anonymous first use, or `regenerate()` at sign-in). */
  generate(): void {
    this.#storedId = undefined;
    this.req.sessionID = randomBytes(24).toString('base64url');
    const expires = new Date(Date.now() + this.settings.maxAgeMs);
    const cookie = {
      ...this.settings.cookie,
      originalMaxAge: this.settings.maxAgeMs,
      expires: expires.toISOString(),
    };
    // Store.createSession turns stored JSON into a Session (it sets req.session); a new session starts from the
    // same JSON shape as a loaded one, which the types declare as an already-built Cookie.
    this.settings.store.createSession(this.req, { cookie } as unknown as SessionData);
    this.#savedJson = this.session ? snapshot(this.session) : undefined;
  }

  replace(value: LiveSession | null | undefined): void {
    this.session = value ?? null;
    if (value) this.#track(value);
    this.#hook();
  }

  /** Keeps our record of the store in step with explicit `save()` and `destroy()` calls. */
  #track(session: LiveSession): void {
    const state = this;
    const save = session.save;
    const destroy = session.destroy;
    Object.defineProperties(session, {
      save: {
        configurable: true,
        writable: true,
        value(this: LiveSession, callback?: (err?: unknown) => void) {
          const json = snapshot(this);
          const id = this.id;
          return save.call(this, (err?: unknown) => {
            if (!err) state.#markSaved(id, json);
            callback?.(err);
          });
        },
      },
      destroy: {
        configurable: true,
        writable: true,
        value(this: LiveSession, callback: (err?: unknown) => void) {
          if (state.#storedId === this.id) state.#storedId = undefined;
          // express-session deletes req.session here, which cannot remove an accessor: unset it instead.
          if (state.session === this) state.session = null;
          return destroy.call(this, callback);
        },
      },
    });
  }

  #markSaved(id: string, json: string): void {
    this.#storedId = id;
    this.#savedJson = json;
  }

  #hook(): void {
    if (this.#hooked) return;
    this.#hooked = true;
    const { res } = this;
    onHeaders(res, () => this.#setCookie());
    const end = res.end;
    const state = this;
    res.end = function endAfterSessionWrite(this: Response, ...args: unknown[]) {
      res.end = end;
      const write = state.#pendingWrite();
      if (!write) return end.apply(this, args as Parameters<Response['end']>);
      write.then(
        () => end.apply(res, args as Parameters<Response['end']>),
        (err: unknown) => state.#failClosed(err),
      );
      return res;
    } as Response['end'];
  }

  #pendingWrite(): Promise<void> | undefined {
    const { store } = this.settings;
    // Through the property: the session as the app left it (null after destroy() or an assignment of null).
    const current: LiveSession | null | undefined = this.req.session;
    if (current == null) {
      const stale = this.#storedId;
      if (stale === undefined) return undefined;
      this.#storedId = undefined;
      return new Promise((resolve, reject) => store.destroy(stale, (err) => (err ? reject(err) : resolve())));
    }
    const json = snapshot(current);
    if (json === this.#savedJson) return undefined;
    return new Promise((resolve, reject) =>
      store.set(current.id, current, (err) => {
        if (err) reject(err);
        else {
          this.#markSaved(current.id, json);
          resolve();
        }
      }),
    );
  }

  #setCookie(): void {
    // Through the property: the session as the app left it (null after destroy() or an assignment of null).
    const current: LiveSession | null | undefined = this.req.session;
    if (current == null || current.id === this.cookieId || this.#writeFailed) return;
    const stored = current.id === this.#storedId;
    if (!stored && snapshot(current) === this.#savedJson) return;
    // A Secure cookie over plain http would be dropped by the browser anyway; the callback route warns about it.
    if (current.cookie.secure && !this.req.secure) return;
    const { name, secrets } = this.settings;
    const expires = current.cookie.expires ?? undefined;
    const header = sessionCookieHeader(name, current.id, secrets[0] as string, {
      ...this.settings.cookie,
      expires,
    });
    this.res.append('Set-Cookie', header);
  }

  #failClosed(err: unknown): void {
    const { res } = this;
    this.#writeFailed = true;
    if (res.headersSent) {
      // Already streaming: cut the connection so the client sees a failure, not a complete success.
      res.destroy();
    } else {
      for (const header of res.getHeaderNames()) res.removeHeader(header);
    }
    this.settings.onWriteError(this.req, res, err);
  }
}

function storeGenerate(req: Express.Request): void {
  stateOf(req)?.generate();
}

/** The session as stored, less the cookie (whose expiry is not a change): what decides whether to save. */
function snapshot(session: LiveSession): string {
  return JSON.stringify(session, function omitCookie(this: unknown, key, value: unknown) {
    return this === session && key === 'cookie' ? undefined : value;
  });
}
