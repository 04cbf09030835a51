import { createRequire } from 'node:module';
import { describe, expect, it } from '@jest/globals';
import session, { type SessionData, Store } from 'express-session';
import { storeView } from '../../src/session/express-session-internals.js';
import { readSessionId, sessionCookieHeader } from '../../src/session/session-cookie.js';

// Each test pins one of the express-session internals listed in src/session/express-session-internals.ts; a
// new express-session that changes one of them fails here before it breaks sign-in.

type Call = [string, ...unknown[]];

/** A store that records what express-session asks of it, and keeps a private field as real stores may. */
class RecordingStore extends Store {
  readonly calls: Call[] = [];
  readonly #data = new Map<string, string>();

  override get(sid: string, callback: (err: unknown, data?: SessionData | null) => void): void {
    this.calls.push(['get', sid]);
    const json = this.#data.get(sid);
    callback(null, json ? (JSON.parse(json) as SessionData) : null);
  }

  override set(sid: string, data: SessionData, callback?: (err?: unknown) => void): void {
    this.calls.push(['set', sid, data]);
    this.#data.set(sid, JSON.stringify(data));
    callback?.();
  }

  override destroy(sid: string, callback?: (err?: unknown) => void): void {
    this.calls.push(['destroy', sid]);
    this.#data.delete(sid);
    callback?.();
  }
}

const cookie = {
  originalMaxAge: 60_000,
  expires: new Date(Date.now() + 60_000).toISOString(),
  httpOnly: true,
  secure: false,
  sameSite: 'lax',
  path: '/',
};

interface FakeRequest {
  sessionID: string;
  sessionStore: Express.SessionStore;
  session?: session.Session & Partial<SessionData>;
}

function setUp(id = 'sid-1') {
  const store = new RecordingStore();
  const generated: string[] = [];
  const req: FakeRequest = {
    sessionID: id,
    sessionStore: storeView(store, (r) => {
      const request = r as unknown as FakeRequest;
      generated.push(request.sessionID);
      request.sessionID = 'sid-new';
      request.sessionStore.createSession(r as never, { cookie } as unknown as SessionData);
    }),
  };
  req.sessionStore.createSession(req as never, { cookie, user: 'ada' } as unknown as SessionData);
  return { store, req, generated };
}

const settle = (run: (callback: (err?: unknown) => void) => void) =>
  new Promise<void>((resolve, reject) => run((err) => (err ? reject(err) : resolve())));

describe('express-session internals the session layer relies on', () => {
  it('is the version package.json pins to one minor', () => {
    const require = createRequire(import.meta.url);
    const installed = (require('express-session/package.json') as { version: string }).version;
    const range = (require('../../package.json') as { dependencies: Record<string, string> }).dependencies[
      'express-session'
    ];
    expect(range).toMatch(/^~1\.19\.\d+$/);
    expect(installed).toMatch(/^1\.19\./);
  });

  it('1: Store#createSession builds a Session with a Cookie on req.session, with req.sessionID as its id', () => {
    const { req } = setUp('sid-abc');
    expect(req.session).toBeInstanceOf(session.Session);
    expect(req.session?.cookie).toBeInstanceOf(session.Cookie);
    expect(req.session?.id).toBe('sid-abc');
    expect((req.session as unknown as { user: string }).user).toBe('ada');
    expect(req.session?.cookie.expires?.toISOString()).toBe(cookie.expires);
  });

  it('2: Session#save calls sessionStore.set(id, session, callback)', async () => {
    const { req, store } = setUp();
    await settle((done) => req.session?.save(done));
    expect(store.calls).toEqual([['set', 'sid-1', req.session]]);
  });

  it('3: Session#destroy deletes req.session and calls sessionStore.destroy(id, callback)', async () => {
    const { req, store } = setUp();
    await settle((done) => req.session?.destroy(done));
    expect(req.session).toBeUndefined();
    expect(store.calls).toEqual([['destroy', 'sid-1']]);
  });

  it('4: Session#regenerate goes through sessionStore.regenerate: the old id destroyed, then generate(req)', async () => {
    const { req, store, generated } = setUp();
    await settle((done) => req.session?.regenerate(done));
    expect(store.calls).toEqual([['destroy', 'sid-1']]);
    expect(generated).toEqual(['sid-1']);
    expect(req.session?.id).toBe('sid-new');
  });

  it("4: the base Store#regenerate calls the store's generate(req) after destroying, the hook the view supplies", async () => {
    const calls: string[] = [];
    const fake = {
      destroy: (_sid: string, callback: () => void) => {
        calls.push('destroy');
        callback();
      },
      generate: () => calls.push('generate'),
    };
    await settle((done) => Store.prototype.regenerate.call(fake, { sessionID: 'x' } as never, done));
    expect(calls).toEqual(['destroy', 'generate']);
  });

  it('5: Session#reload reads sessionStore.get(id) and builds the session again with createSession', async () => {
    const { req, store } = setUp();
    await settle((done) => req.session?.save(done));
    (req.session as unknown as { user: string }).user = 'changed in memory';
    await settle((done) => req.session?.reload(done));
    expect(store.calls.map(([name]) => name)).toEqual(['set', 'get']);
    expect((req.session as unknown as { user: string }).user).toBe('ada');
  });

  it('6: a stored session is its JSON with the cookie fields; the cookie value is s:<id>.<signature>', () => {
    const { req } = setUp();
    const stored = JSON.parse(JSON.stringify(req.session)) as { cookie: Record<string, unknown> };
    expect(Object.keys(stored.cookie).sort()).toEqual(
      ['expires', 'httpOnly', 'originalMaxAge', 'path', 'sameSite', 'secure'].sort(),
    );
    expect(stored.cookie.expires).toBe(cookie.expires);
    const header = sessionCookieHeader('sid', 'sid-1', 'secret-1', { path: '/' });
    expect(header).toMatch(/^sid=s%3Asid-1\./);
    expect(readSessionId(header.split(';')[0], 'sid', ['secret-1'])).toBe('sid-1');
  });

  it("the view leaves the app's store untouched: nothing is written onto it", () => {
    const store = new RecordingStore();
    const before = Object.getOwnPropertyNames(store);
    const view = storeView(store, () => {});
    expect(Object.getOwnPropertyNames(store)).toEqual(before);
    expect((store as unknown as { generate?: unknown }).generate).toBeUndefined();
    expect(view.generate).toBeDefined();
  });
});
