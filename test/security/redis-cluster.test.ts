import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Cluster } from 'ioredis';
import { RedisTokenRepository } from '../../src/index.js';
import { Browser } from '../helpers/browser.js';
import { startRedisCluster, type TestRedisCluster } from '../helpers/redis-cluster.js';
import { CLIENT_SECRET, type Stack, signIn, startStack } from '../helpers/stack.js';
import { expireConnection, newKey, vaultRoutes } from '../helpers/vault.js';

let cluster: TestRedisCluster;
let client: Cluster;
let stack: Stack;
beforeAll(async () => {
  cluster = await startRedisCluster();
  client = cluster.client();
  let issuer = '';
  stack = await startStack({
    providers: (i) => {
      issuer = i;
      return { acme: { issuer: i, clientId: 'acme-app', clientSecret: CLIENT_SECRET, mode: 'integration' } };
    },
    router: { redis: client, tokenEncryption: { keys: { k1: newKey() }, current: 'k1' } },
    op: { configuration: { rotateRefreshToken: true } },
    routes: vaultRoutes(() => `${issuer}/me`),
  });
}, 60_000);
afterAll(async () => {
  await stack.close();
  await cluster.stop();
});

describe('Redis Cluster (3 masters)', () => {
  it('runs sign-in, single refresh, and logout with keys spread over the nodes', async () => {
    const json = { accept: 'application/json' };
    const browser = new Browser();
    const { user } = (await (await signIn(stack, browser)).json()) as { user: { id: string } };
    expect((await browser.request(stack.url('/me'), { headers: json })).status).toBe(200);
    // A returning sign-in finds the same user through the account key (read key by key on a cluster).
    const again = (await (await signIn(stack, new Browser())).json()) as { user: { id: string } };
    expect(again.user.id).toBe(user.id);

    await expireConnection(new RedisTokenRepository(client, 'oar:'), user.id);
    const results = await Promise.all(
      Array.from({ length: 20 }, () => browser.request(stack.url('/api/profile'), { headers: json })),
    );
    expect(results.map((r) => r.status)).toEqual(Array(20).fill(200));
    expect(stack.op.tokenRequests.get('refresh_token')).toBe(1);

    // Keys really live on different masters (sessions, users, connections hash to different slots).
    const perNode = await Promise.all(client.nodes('master').map((node) => node.dbsize()));
    expect(perNode.filter((n) => n > 0).length).toBeGreaterThanOrEqual(2);

    expect((await browser.request(stack.url('/auth/logout'), { method: 'POST' })).status).toBe(204);
    expect((await browser.request(stack.url('/me'), { headers: json })).status).toBe(401);
  });
});
