import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type DevProvider, startDevProvider } from '../../example-app/dev-provider/index.js';
import { RedisTokenRepository } from '../../src/index.js';
import { Browser } from '../helpers/browser.js';
import { useRedis } from '../helpers/lifecycle.js';
import { authorize, CLIENT_SECRET, sendCallback, TEST_SECRET } from '../helpers/stack.js';
import { expireConnection, newKey } from '../helpers/vault.js';
import { type RoundRobinProxy, startRoundRobinProxy, startWorker, type Worker } from '../helpers/workers.js';

const redis = useRedis();
let proxy: RoundRobinProxy;
let op: DevProvider;
let workers: Worker[] = [];
const site = () => ({ url: (path: string) => `${proxy.url}${path}`, mountPath: '/auth', origin: proxy.url });

beforeAll(async () => {
  proxy = await startRoundRobinProxy();
  op = await startDevProvider({
    clients: [
      {
        client_id: 'acme-app',
        client_secret: CLIENT_SECRET,
        redirect_uris: [`${proxy.url}/auth/acme/callback`],
        grant_types: ['authorization_code', 'refresh_token'],
      },
    ],
    configuration: { rotateRefreshToken: true },
  });
  const config = {
    redisUrl: redis().url,
    issuer: op.issuer,
    baseUrl: proxy.url,
    key: newKey(),
    secret: TEST_SECRET,
    clientSecret: CLIENT_SECRET,
  };
  workers = await Promise.all([startWorker(config), startWorker(config), startWorker(config)]);
  proxy.setTargets(workers.map((w) => w.port));
}, 30_000);
afterAll(async () => {
  await Promise.all(workers.map((w) => w.stop()));
  await proxy.close();
  await op.close();
});

describe('three instances behind a round-robin load balancer, sharing Redis', () => {
  it('completes a login started on one instance on another, and keeps the session on all of them', async () => {
    const browser = new Browser();
    const json = { accept: 'application/json' };
    // login → worker 1, callback → another worker (round robin): the pending login lives in Redis.
    const res = await sendCallback(browser, await authorize(site(), browser));
    expect(res.status).toBe(200);
    const { user } = (await res.json()) as { user: { id: string } };
    const pids = new Set<number>();
    for (let i = 0; i < 6; i++) {
      const me = await browser.request(`${proxy.url}/me`, { headers: json });
      expect(me.status).toBe(200);
      pids.add(((await me.json()) as { pid: number }).pid);
    }
    expect(pids.size).toBe(3);

    // One refresh for the whole fleet.
    await expireConnection(new RedisTokenRepository(redis().client(), 'oar:'), user.id);
    const calls = await Promise.all(
      Array.from({ length: 30 }, () => browser.request(`${proxy.url}/api/profile`, { headers: json })),
    );
    expect(calls.map((c) => c.status)).toEqual(Array(30).fill(200));
    expect(op.tokenRequests.get('refresh_token')).toBe(1);

    // Logout on one instance ends the session on every instance at once.
    const cookie = `oauth.sid=${browser.cookie(new URL(proxy.url).host, 'oauth.sid')}`;
    expect((await browser.request(`${proxy.url}/auth/logout`, { method: 'POST' })).status).toBe(204);
    for (let i = 0; i < 3; i++) {
      expect((await fetch(`${proxy.url}/me`, { headers: { ...json, cookie } })).status).toBe(401);
    }
    expect(proxy.counts.every((n) => n > 3)).toBe(true);
  }, 30_000);
});
