import { describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { RedisTokenRepository } from '../../src/index.js';
import { Browser } from '../helpers/browser.js';
import { useRedis, useStack } from '../helpers/lifecycle.js';
import { CLIENT_SECRET, signIn, TEST_SECRET } from '../helpers/stack.js';
import { expireConnection, newKey, vaultRoutes } from '../helpers/vault.js';
import { startWorker } from '../helpers/workers.js';

const KEY = newKey();
const redis = useRedis();
let issuer = '';
const stack = useStack(() => ({
  redisUrl: redis().url,
  providers: (i) => {
    issuer = i;
    return { acme: { issuer: i, clientId: 'acme-app', clientSecret: CLIENT_SECRET, mode: 'integration' } };
  },
  router: { tokenEncryption: { keys: { k1: KEY }, current: 'k1' } },
  op: { configuration: { rotateRefreshToken: true } },
  routes: vaultRoutes(() => `${issuer}/me`),
}));

describe('several app instances sharing Redis', () => {
  it('make exactly one refresh for concurrent calls on an expired token spread over 3 processes', async () => {
    const browser = new Browser();
    const res = await signIn(stack(), browser);
    const { user } = (await res.json()) as { user: { id: string } };
    const cookie = browser.cookie(new URL(stack().origin).host, 'oauth.sid') as string;
    const config = {
      redisUrl: redis().url,
      issuer: stack().op.issuer,
      baseUrl: stack().baseUrl,
      key: KEY,
      secret: TEST_SECRET,
      clientSecret: CLIENT_SECRET,
    };
    const workers = await Promise.all([startWorker(config), startWorker(config), startWorker(config)]);
    try {
      for (let round = 0; round < 2; round++) {
        await expireConnection(new RedisTokenRepository(redis().client(), 'oar:'), user.id);
        const before = stack().op.tokenRequests.get('refresh_token') ?? 0;
        const calls = Array.from({ length: 60 }, (_, i) => {
          const { port } = workers[i % workers.length] as { port: number };
          // then() sends it now: the 60 calls race, as they would from 60 tabs.
          return request(`http://127.0.0.1:${port}`)
            .get('/api/profile')
            .set({ cookie: `oauth.sid=${cookie}`, accept: 'application/json' })
            .then((r) => r);
        });
        const statuses = (await Promise.all(calls)).map((r) => r.status);
        expect(statuses).toEqual(Array(60).fill(200));
        expect(stack().op.tokenRequests.get('refresh_token')).toBe(before + 1);
      }
    } finally {
      for (const { child } of workers) child.stdin?.end();
      await Promise.all(
        workers.map(
          ({ child }) => new Promise((r) => (child.exitCode !== null ? r(null) : child.once('exit', r))),
        ),
      );
    }
  }, 60_000);
});
