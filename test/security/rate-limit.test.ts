import { describe, expect, it } from '@jest/globals';
import { Browser } from '../helpers/browser.js';
import { useRedis, useStack } from '../helpers/lifecycle.js';
import { startRedis } from '../helpers/redis-server.js';
import { startStack } from '../helpers/stack.js';

const redis = useRedis();
const limited = () => ({
  redisUrl: redis().url,
  router: { rateLimit: { windowSeconds: 10, max: 5 }, keyPrefix: 'rl-test:' },
});
const a = useStack(limited);
const b = useStack(limited);

describe('rate limits on the auth routes', () => {
  it('answers 429 rate_limited with Retry-After past the limit, per client IP and route kind', async () => {
    const ip = { 'x-forwarded-for': '203.0.113.7' };
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++)
      statuses.push((await new Browser().request(a().url('/auth/acme/login'), { headers: ip })).status);
    expect(statuses).toEqual([302, 302, 302, 302, 302, 429]);
    const refused = await new Browser().request(a().url('/auth/acme/login'), { headers: ip });
    expect(refused.headers.get('retry-after')).toBe('10');
    expect(await refused.json()).toEqual({ error: 'rate_limited', message: expect.any(String) });
    // Another route kind has its own budget; another client too (trust proxy: the forwarded address counts).
    expect(
      (await new Browser().request(a().url('/auth/acme/callback?state=x'), { headers: ip })).status,
    ).toBe(400);
    expect(
      (
        await new Browser().request(a().url('/auth/acme/login'), {
          headers: { 'x-forwarded-for': '203.0.113.8' },
        })
      ).status,
    ).toBe(302);
  });

  it('fails closed with 503 store_unavailable when its Redis is down, and recovers', async () => {
    const own = await startRedis();
    const local = await startStack({
      redisUrl: own.url,
      router: { rateLimit: { windowSeconds: 10, max: 5 } },
    });
    try {
      const ip = { 'x-forwarded-for': '192.0.2.50' };
      expect((await new Browser().request(local.url('/auth/acme/login'), { headers: ip })).status).toBe(302);
      await own.kill();
      const down = await new Browser().request(local.url('/auth/acme/login'), { headers: ip });
      expect(down.status).toBe(503);
      expect(await down.json()).toMatchObject({ error: 'store_unavailable' });
      await own.restart();
      let status = 0;
      for (let i = 0; i < 50 && status !== 302; i++) {
        status = (await new Browser().request(local.url('/auth/acme/login'), { headers: ip })).status;
        if (status !== 302) await new Promise((r) => setTimeout(r, 100));
      }
      expect(status).toBe(302);
    } finally {
      await local.close();
      await own.stop();
    }
  });

  it('holds across instances sharing Redis', async () => {
    const ip = { 'x-forwarded-for': '198.51.100.20' };
    for (let i = 0; i < 5; i++)
      expect((await new Browser().request(a().url('/auth/acme/login'), { headers: ip })).status).toBe(302);
    expect((await new Browser().request(b().url('/auth/acme/login'), { headers: ip })).status).toBe(429);
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
    for (let i = 0; i < 300; i++)
      await new Browser().request(office().url('/auth/acme/login'), { headers: storm });
    const before = office().logs.length;
    const api = await new Browser().request(office().url('/auth/acme/login'), { headers: storm });
    expect(api.status).toBe(429);
    expect(await api.json()).toMatchObject({ error: 'rate_limited' });
    const page = await new Browser().request(office().url('/auth/acme/login'), {
      headers: { ...storm, 'sec-fetch-mode': 'navigate', accept: 'text/html' },
    });
    expect(page.status).toBe(302);
    expect(page.headers.get('location')).toBe('/oops?error=rate_limited');
    for (let i = 0; i < 20; i++)
      await new Browser().request(office().url('/auth/acme/login'), { headers: storm });
    const lines = office()
      .logs.slice(before)
      .filter((l) => /rate limited/i.test(l.message));
    expect(lines).toHaveLength(1);
  }, 30_000);
});
