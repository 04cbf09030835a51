import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { RedisTokenRepository } from '../../src/index.js';
import { Browser } from '../helpers/browser.js';
import { useRedis } from '../helpers/lifecycle.js';
import { authorize, sendCallback } from '../helpers/stack.js';
import { expireConnection } from '../helpers/vault.js';
import { type Fleet, startFleet } from '../helpers/workers.js';

const redis = useRedis();
let fleet: Fleet;
beforeAll(async () => {
  fleet = await startFleet(redis().url, 3);
}, 30_000);
afterAll(async () => {
  await fleet.close();
});

describe('three instances behind a round-robin load balancer, sharing Redis', () => {
  it('completes a login started on one instance on another, and keeps the session on all of them', async () => {
    const browser = new Browser();
    const json = { accept: 'application/json' };
    // login → worker 1, callback → another worker (round robin): the pending login lives in Redis.
    const res = await sendCallback(browser, await authorize(fleet.site, browser));
    expect(res.status).toBe(200);
    const { user } = (await res.json()) as { user: { id: string } };
    const pids = new Set<number>();
    for (let i = 0; i < 6; i++) {
      const me = await browser.request(`${fleet.proxy.url}/me`, { headers: json });
      expect(me.status).toBe(200);
      pids.add(((await me.json()) as { pid: number }).pid);
    }
    expect(pids.size).toBe(3);

    // One refresh for the whole fleet.
    await expireConnection(new RedisTokenRepository(redis().client(), 'oar:'), user.id);
    const calls = await Promise.all(
      Array.from({ length: 30 }, () => browser.request(`${fleet.proxy.url}/api/profile`, { headers: json })),
    );
    expect(calls.map((c) => c.status)).toEqual(Array(30).fill(200));
    expect(fleet.op.tokenRequests.get('refresh_token')).toBe(1);

    // Logout on one instance ends the session on every instance at once.
    const cookie = `oauth.sid=${browser.cookie(new URL(fleet.proxy.url).host, 'oauth.sid')}`;
    expect((await browser.request(`${fleet.proxy.url}/auth/logout`, { method: 'POST' })).status).toBe(204);
    for (let i = 0; i < 3; i++) {
      expect(
        (
          await request(fleet.proxy.url)
            .get('/me')
            .set({ ...json, cookie })
        ).status,
      ).toBe(401);
    }
    expect(fleet.proxy.counts.every((n) => n > 3)).toBe(true);
  }, 30_000);
});
