import { describe, expect, it } from '@jest/globals';
import { Browser } from '../helpers/browser.js';
import { useRedis, useStack } from '../helpers/lifecycle.js';

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

  it('holds across instances sharing Redis', async () => {
    const ip = { 'x-forwarded-for': '198.51.100.20' };
    for (let i = 0; i < 5; i++)
      expect((await new Browser().request(a().url('/auth/acme/login'), { headers: ip })).status).toBe(302);
    expect((await new Browser().request(b().url('/auth/acme/login'), { headers: ip })).status).toBe(429);
  });
});
