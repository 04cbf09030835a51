import { describe, expect, it } from '@jest/globals';
import { RedisStore } from 'connect-redis';
import { sign } from 'cookie-signature';
import express from 'express';
import session from 'express-session';
import request from 'supertest';
import { Browser } from '../helpers/browser.js';
import { useRedis, useStack } from '../helpers/lifecycle.js';
import { signIn, TEST_SECRET } from '../helpers/stack.js';
import { poll } from '../helpers/wait-for.js';

const COOKIE = 'oauth.sid';
const PREFIX = 'oar:sess:';

const redis = useRedis();
const stack = useStack(() => ({
  redisUrl: redis().url,
  routes: (app) => {
    app.get('/peek', (req, res) => {
      res.json({ visits: req.session.visits ?? 0 });
    });
    app.post('/forget', (req, res, next) => {
      req.session.visits = 99;
      req.session.destroy((err) => (err ? next(err) : res.json({ session: req.session ?? null })));
    });
    // Starts streaming before it writes to the session: a failed write can only cut the connection.
    app.get('/stream-visit', (req, res) => {
      res.write('partial ');
      req.session.visits = 1;
      res.end('done');
    });
  },
}));

function host(): string {
  return new URL(stack().origin).host;
}

function sessionId(browser: Browser): string {
  const raw = decodeURIComponent(browser.cookie(host(), COOKIE) ?? '');
  return raw.slice(2, raw.lastIndexOf('.'));
}

async function json(browser: Browser, path: string): Promise<{ status: number; body: unknown }> {
  const res = await browser.request(stack().url(path), { headers: { accept: 'application/json' } });
  return { status: res.status, body: await res.json() };
}

async function commandCalls(command: string): Promise<number> {
  const info = await redis().client().info('commandstats');
  return Number(new RegExp(`cmdstat_${command}:calls=(\\d+)`).exec(info)?.[1] ?? 0);
}

describe('session layer', () => {
  it('creates no session, cookie or store key for a visit that only reads the session', async () => {
    const browser = new Browser();
    const keysBefore = await redis().client().keys(`${PREFIX}*`);
    const res = await browser.request(stack().url('/peek'));
    expect(await res.json()).toEqual({ visits: 0 });
    expect(res.headers.getSetCookie()).toEqual([]);
    expect(await redis().client().keys(`${PREFIX}*`)).toEqual(keysBefore);
  });

  it('stores a new session once it is written, with the cookie and a store TTL of the session lifetime', async () => {
    const browser = new Browser();
    expect((await json(browser, '/visit')).body).toEqual({ visits: 1 });
    const id = sessionId(browser);
    expect(id).toMatch(/^[\w-]{32}$/);
    const ttl = await redis().client().ttl(`${PREFIX}${id}`);
    expect(ttl).toBeGreaterThan(30 * 86_400 - 60);
    expect(ttl).toBeLessThanOrEqual(30 * 86_400);
    expect((await json(browser, '/visit')).body).toEqual({ visits: 2 });
    expect(sessionId(browser)).toBe(id);
  });

  it('reads a signed-in session with one store read and writes nothing back', async () => {
    const browser = new Browser();
    expect((await signIn(stack(), browser)).status).toBe(200);
    const before = {
      get: await commandCalls('get'),
      set: await commandCalls('set'),
      expire: await commandCalls('expire'),
    };
    for (let i = 0; i < 5; i++) expect((await json(browser, '/me')).status).toBe(200);
    expect(await commandCalls('get')).toBe(before.get + 5);
    expect(await commandCalls('set')).toBe(before.set);
    expect(await commandCalls('expire')).toBe(before.expire);
  });

  it('keeps the absolute expiry set when the session began, however often it is modified', async () => {
    const browser = new Browser();
    await json(browser, '/visit');
    const key = `${PREFIX}${sessionId(browser)}`;
    const first = JSON.parse((await redis().client().get(key)) ?? '{}');
    await new Promise((resolve) => setTimeout(resolve, 20));
    await json(browser, '/visit');
    const second = JSON.parse((await redis().client().get(key)) ?? '{}');
    expect(second.visits).toBe(2);
    expect(second.cookie.expires).toBe(first.cookie.expires);
    // The store's TTL still ends at that expiry (connect-redis rounds it up to a whole second). `now` is read before
    // the TTL: read after, a slow reply would eat into the rounding's slack (0 to 1 s) and fail a correct store.
    const now = Date.now();
    expect(await redis().client().pttl(key)).toBeLessThanOrEqual(
      Date.parse(first.cookie.expires) - now + 1000,
    );
  });

  it('does not bring back a session that was modified and then destroyed in the same request', async () => {
    const browser = new Browser();
    await json(browser, '/visit');
    const key = `${PREFIX}${sessionId(browser)}`;
    expect(await redis().client().exists(key)).toBe(1);
    const res = await browser.request(stack().url('/forget'), { method: 'POST' });
    expect(await res.json()).toEqual({ session: null });
    expect(await redis().client().exists(key)).toBe(0);
    expect((await json(browser, '/peek')).body).toEqual({ visits: 0 });
  });

  it('answers a typed error without details for a stored session that is not JSON, and leaves it for the operator', async () => {
    const browser = new Browser();
    await signIn(stack(), browser);
    const key = `${PREFIX}${sessionId(browser)}`;
    await redis().client().set(key, '{"cookie":{"path":"/"},"oauth":', 'EX', 600);
    const res = await browser.request(stack().url('/me'), { headers: { accept: 'application/json' } });
    const text = await res.text();
    expect(res.status).toBe(500);
    expect(JSON.parse(text)).toEqual({ error: 'internal_error', message: expect.any(String) });
    expect(text).not.toMatch(/SyntaxError|JSON|at .*\.js/);
    expect(res.headers.getSetCookie()).toEqual([]);
    expect(await redis().client().get(key)).toBe('{"cookie":{"path":"/"},"oauth":');
  });

  it('refuses a session cookie whose signature was forged or whose id was swapped', async () => {
    const victim = new Browser();
    expect((await signIn(stack(), victim)).status).toBe(200);
    const id = sessionId(victim);
    const attacker = new Browser();
    attacker.setCookie(
      host(),
      COOKIE,
      encodeURIComponent(`s:${sign(id, 'attacker-guessed-secret-0123456789abcdef')}`),
    );
    expect((await json(attacker, '/me')).status).toBe(401);
    const own = new Browser();
    await json(own, '/visit');
    const ownSignature = decodeURIComponent(own.cookie(host(), COOKIE) ?? '')
      .split('.')
      .pop();
    attacker.setCookie(host(), COOKIE, encodeURIComponent(`s:${id}.${ownSignature}`));
    expect((await json(attacker, '/me')).status).toBe(401);
    attacker.setCookie(host(), COOKIE, id);
    expect((await json(attacker, '/me')).status).toBe(401);
    // The victim's own cookie still works: nothing stored was touched by the attempts.
    expect((await json(victim, '/me')).status).toBe(200);
  });

  it('never adopts a planted, validly signed id whose session has expired when the victim signs in', async () => {
    const attacker = new Browser();
    await json(attacker, '/visit');
    const planted = attacker.cookie(host(), COOKIE) ?? '';
    await redis()
      .client()
      .del(`${PREFIX}${sessionId(attacker)}`);
    const victim = new Browser();
    victim.setCookie(host(), COOKIE, planted);
    expect((await signIn(stack(), victim)).status).toBe(200);
    expect(sessionId(victim)).not.toBe(sessionId(attacker));
    expect(
      await redis()
        .client()
        .exists(`${PREFIX}${sessionId(attacker)}`),
    ).toBe(0);
    // The attacker's cookie does not ride on the victim's sign-in.
    expect((await json(attacker, '/me')).status).toBe(401);
  });

  it('reads sessions that express-session wrote before an upgrade (same cookie, same stored shape)', async () => {
    const legacy = express();
    legacy.use(
      session({
        name: COOKIE,
        secret: TEST_SECRET,
        store: new RedisStore({ client: redis().client(), prefix: PREFIX }),
        resave: false,
        saveUninitialized: false,
      }),
    );
    legacy.get('/sign-in', (req, res) => {
      req.session.visits = 7;
      req.session.oauth = {
        user: {
          id: 'legacy-user',
          name: 'Legacy',
          email: null,
          emailVerified: false,
          avatarUrl: null,
          createdAt: '2026-01-01T00:00:00.000Z',
        },
        provider: 'acme',
        signedInAt: Date.now(),
        scopes: {},
      };
      res.send('ok');
    });
    const res = await request(legacy).get('/sign-in');
    const cookie = (res.headers['set-cookie'] as unknown as string[] | undefined)?.[0]?.split(';')[0] ?? '';
    const browser = new Browser();
    browser.setCookie(host(), COOKIE, cookie.slice(COOKIE.length + 1));
    expect(await json(browser, '/me')).toMatchObject({
      status: 200,
      body: { user: { id: 'legacy-user' } },
    });
    expect((await json(browser, '/peek')).body).toEqual({ visits: 7 });
    expect((await json(browser, '/visit')).body).toEqual({ visits: 8 });
  });

  it('answers 503 store_unavailable, not 500, when the store stalls (connection open, no answer)', async () => {
    const browser = new Browser();
    expect((await json(browser, '/visit')).status).toBe(200);
    redis().pause();
    try {
      const res = await browser.request(stack().url('/visit'), { headers: { accept: 'application/json' } });
      expect(res.status).toBe(503);
      expect(await res.json()).toMatchObject({ error: 'store_unavailable' });
    } finally {
      redis().resume();
    }
    const status = await poll(
      async () => (await json(browser, '/visit')).status,
      (s) => s === 200,
    );
    expect(status).toBe(200);
  });

  describe('when the store fails a write', () => {
    it("answers 503 store_unavailable instead of the app's response, and sets no cookie", async () => {
      const browser = new Browser();
      await redis().kill();
      try {
        const res = await browser.request(stack().url('/visit'), { headers: { accept: 'application/json' } });
        expect(res.status).toBe(503);
        expect(await res.json()).toMatchObject({ error: 'store_unavailable' });
        expect(res.headers.getSetCookie()).toEqual([]);
        expect(res.headers.get('cache-control')).toBe('no-store');
      } finally {
        await redis().restart();
      }
      // Recovers once the store is back (ioredis reconnects with a backoff of up to 2 s: poll, generously).
      const status = await poll(
        async () => (await json(browser, '/visit')).status,
        (s) => s === 200,
      );
      expect(status).toBe(200);
    });

    it('cuts a response that was already streaming, so the client never sees it complete', async () => {
      await redis().kill();
      try {
        await expect(
          (async () => {
            const res = await fetch(stack().url('/stream-visit'));
            return res.text();
          })(),
        ).rejects.toThrow();
      } finally {
        await redis().restart();
      }
    });
  });
});
