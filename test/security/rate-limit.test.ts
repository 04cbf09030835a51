import { describe, expect, it } from '@jest/globals';
import { Browser } from '../helpers/browser.js';
import { useRedis, useStack } from '../helpers/lifecycle.js';
import { startRedis } from '../helpers/redis-server.js';
import { requestApp } from '../helpers/request-app.js';
import { startStack } from '../helpers/stack.js';
import { poll } from '../helpers/wait-for.js';

const redis = useRedis();
// Long enough that no window ends in the middle of a test on a busy machine; Retry-After is checked against it.
const WINDOW_SECONDS = 60;
const limited = () => ({
  redisUrl: redis().url,
  router: { rateLimit: { windowSeconds: WINDOW_SECONDS, max: 5 }, keyPrefix: 'rl-test:' },
});
const a = useStack(limited);
const b = useStack(limited);

describe('rate limits on the auth routes', () => {
  it('answers 429 rate_limited with Retry-After past the limit, per client IP and route kind', async () => {
    const ip = { 'x-forwarded-for': '203.0.113.7' };
    const statuses: number[] = [];
    // The window starts with the first request, at or after this instant.
    const started = Date.now();
    for (let i = 0; i < 6; i++) statuses.push((await requestApp(a()).get('/auth/acme/login').set(ip)).status);
    expect(statuses).toEqual([302, 302, 302, 302, 302, 429]);
    const refused = await requestApp(a()).get('/auth/acme/login').set(ip);
    // Retry-After is what is left of the window, in whole seconds rounded up: the full window when the limit is hit
    // within its first second (an idle machine), and no less than the window minus the time since `started`.
    const retryAfter = Number(refused.headers['retry-after']);
    expect(retryAfter).toBeLessThanOrEqual(WINDOW_SECONDS);
    expect(retryAfter).toBeGreaterThanOrEqual(
      Math.ceil((WINDOW_SECONDS * 1000 - (Date.now() - started)) / 1000),
    );
    expect(refused.body).toEqual({ error: 'rate_limited', message: expect.any(String) });
    // Another route kind has its own budget; another client too (trust proxy: the forwarded address counts).
    expect((await requestApp(a()).get('/auth/acme/callback?state=x').set(ip)).status).toBe(400);
    expect((await requestApp(a()).get('/auth/acme/login').set('x-forwarded-for', '203.0.113.8')).status).toBe(
      302,
    );
  });

  it('fails closed with 503 store_unavailable when its Redis is down, and recovers', async () => {
    const own = await startRedis();
    const local = await startStack({
      redisUrl: own.url,
      router: { rateLimit: { windowSeconds: WINDOW_SECONDS, max: 5 } },
    });
    try {
      const ip = { 'x-forwarded-for': '192.0.2.50' };
      expect((await requestApp(local).get('/auth/acme/login').set(ip)).status).toBe(302);
      await own.kill();
      const down = await requestApp(local).get('/auth/acme/login').set(ip);
      expect(down.status).toBe(503);
      expect(down.body).toMatchObject({ error: 'store_unavailable' });
      await own.restart();
      // ioredis reconnects with a backoff of up to 2 s: poll for the recovery, generously.
      const status = await poll(
        async () => (await requestApp(local).get('/auth/acme/login').set(ip)).status,
        (s) => s === 302,
      );
      expect(status).toBe(302);
    } finally {
      await local.close();
      await own.stop();
    }
  });

  it('holds across instances sharing Redis', async () => {
    const ip = { 'x-forwarded-for': '198.51.100.20' };
    for (let i = 0; i < 5; i++)
      expect((await requestApp(a()).get('/auth/acme/login').set(ip)).status).toBe(302);
    expect((await requestApp(b()).get('/auth/acme/login').set(ip)).status).toBe(429);
  });
});

describe('default rate limits', () => {
  const office = useStack(() => ({
    redisUrl: redis().url,
    router: { rateLimit: undefined, keyPrefix: 'rl-office:', failureRedirect: '/oops' },
  }));

  it('let an office of a hundred browsers behind one NAT address sign in within a minute', async () => {
    const nat = { 'x-forwarded-for': '203.0.113.99' };
    const statuses = new Set<number>();
    for (let i = 0; i < 100; i++) {
      const browser = new Browser();
      const login = await browser.request(office().url('/auth/acme/login'), { headers: nat });
      const state = new URL(login.headers.get('location') as string).searchParams.get('state') as string;
      // The callback's own budget: an unusable code still counts against it.
      const callback = await browser.request(office().url(`/auth/acme/callback?state=${state}&code=x`), {
        headers: nat,
      });
      statuses.add(login.status).add(callback.status === 429 ? 429 : 0);
    }
    expect([...statuses].sort()).toEqual([0, 302]);
  });

  it('logs a 429 storm as one line per window, and sends page navigations to failureRedirect', async () => {
    const storm = { 'x-forwarded-for': '203.0.113.100' };
    for (let i = 0; i < 300; i++) await requestApp(office()).get('/auth/acme/login').set(storm);
    const before = office().logs.length;
    const api = await requestApp(office()).get('/auth/acme/login').set(storm);
    expect(api.status).toBe(429);
    expect(api.body).toMatchObject({ error: 'rate_limited' });
    const page = await requestApp(office())
      .get('/auth/acme/login')
      .set({ ...storm, 'sec-fetch-mode': 'navigate', accept: 'text/html' });
    expect(page.status).toBe(302);
    expect(page.headers.location).toBe('/oops?error=rate_limited');
    for (let i = 0; i < 20; i++) await requestApp(office()).get('/auth/acme/login').set(storm);
    const lines = office()
      .logs.slice(before)
      .filter((l) => /rate limited/i.test(l.message));
    expect(lines).toHaveLength(1);
  }, 30_000);
});
