import { describe, expect, it } from '@jest/globals';
import { type Keyring, parseKeyring } from '../../src/config/keyring.js';
import { OAuthRouterError, ReauthRequiredError, RedisTokenRepository } from '../../src/index.js';
import type { ConnectionRecord } from '../../src/tokens/types.js';
import { Browser } from '../helpers/browser.js';
import { useRedis, useStack } from '../helpers/lifecycle.js';
import { CLIENT_SECRET, type Stack, signIn, TEST_SECRET } from '../helpers/stack.js';
import { expireConnection, newKey, revokeAtProvider, unseal, vaultRoutes } from '../helpers/vault.js';
import { startJob } from '../helpers/workers.js';

// router.forUser(userId) called straight on the router object, as a background job would: no Express request.
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

const json = { accept: 'application/json' };
const repo = () => new RedisTokenRepository(redis().client(), 'oar:');
const ring = () => parseKeyring({ keys: { k1: KEY }, current: 'k1' }, 'k', []) as Keyring;
const refreshes = (s: Stack) => s.op.tokenRequests.get('refresh_token') ?? 0;
const me = () => `${stack().op.issuer}/me`;

async function connectedUser(email = `job-${Math.random().toString(36).slice(2)}@example.test`) {
  const browser = new Browser();
  const res = await signIn(stack(), browser, { email });
  expect(res.status).toBe(200);
  const { user } = (await res.json()) as { user: { id: string } };
  return { browser, userId: user.id, email };
}

describe('router.forUser() outside an HTTP request', () => {
  it("calls the API with the user's token, hands out the token and lists connections", async () => {
    const { userId, email } = await connectedUser();
    const access = stack().router.forUser(userId);
    const res = await access.fetch('acme', me());
    expect(res.status).toBe(200);
    expect(((await res.json()) as { email: string }).email).toBe(email);
    const stored = unseal(ring(), (await repo().get(userId, 'acme')) as ConnectionRecord);
    expect(await access.token('acme')).toBe(stored.accessToken);
    expect(await access.connections()).toEqual([
      expect.objectContaining({ provider: 'acme', status: 'active', expiresAt: expect.any(Date) }),
    ]);
  });

  it('refreshes first when the token has expired', async () => {
    const { userId } = await connectedUser();
    const before = unseal(ring(), (await repo().get(userId, 'acme')) as ConnectionRecord);
    await expireConnection(repo(), userId);
    const count = refreshes(stack());
    expect((await stack().router.forUser(userId).fetch('acme', me())).status).toBe(200);
    expect(refreshes(stack())).toBe(count + 1);
    const after = unseal(ring(), (await repo().get(userId, 'acme')) as ConnectionRecord);
    expect(after.accessToken).not.toBe(before.accessToken);
    expect(after.refreshToken).not.toBe(before.refreshToken);
  });

  it('refreshes once and retries once when the API answers 401', async () => {
    const { userId } = await connectedUser();
    const tokens = unseal(ring(), (await repo().get(userId, 'acme')) as ConnectionRecord);
    const seen: string[] = [];
    stack().op.intercept = (req, res) => {
      if (req.url !== '/me') return false;
      seen.push(req.headers.authorization ?? '');
      if (req.headers.authorization !== `Bearer ${tokens.accessToken}`) return false;
      res.writeHead(401, { 'www-authenticate': 'Bearer error="invalid_token"' }).end();
      return true;
    };
    const count = refreshes(stack());
    try {
      const res = await stack().router.forUser(userId).fetch('acme', me(), { method: 'GET' });
      expect(res.status).toBe(200);
    } finally {
      stack().op.intercept = undefined;
    }
    expect(refreshes(stack())).toBe(count + 1);
    expect(seen).toHaveLength(2);
    expect(seen[1]).not.toBe(seen[0]);
  });

  it('marks the connection needs_reauth on a refused refresh and throws ReauthRequiredError, also to req.oauth', async () => {
    const { browser, userId } = await connectedUser();
    const tokens = unseal(ring(), (await repo().get(userId, 'acme')) as ConnectionRecord);
    await revokeAtProvider(stack().op.issuer, CLIENT_SECRET, tokens.refreshToken as string, 'refresh_token');
    await expireConnection(repo(), userId);
    const access = stack().router.forUser(userId);
    const err = await access.fetch('acme', me()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ReauthRequiredError);
    expect(err).toMatchObject({ code: 'reauth_required', provider: 'acme', loginUrl: '/auth/acme/login' });
    expect((await access.connections())[0]?.status).toBe('needs_reauth');
    // Marked once: later calls fail at once, in a job and in a route alike, without asking the provider.
    const count = refreshes(stack());
    await expect(access.token('acme')).rejects.toBeInstanceOf(ReauthRequiredError);
    const viaRoute = await browser.request(stack().url('/api/profile'), { headers: json });
    expect(viaRoute.status).toBe(401);
    expect(await viaRoute.json()).toMatchObject({ error: 'reauth_required' });
    expect(refreshes(stack())).toBe(count);
  });

  it('disconnects, revoking at the provider, and then reports not_connected', async () => {
    const { userId } = await connectedUser();
    const access = stack().router.forUser(userId);
    expect(await access.disconnect('acme', { revoke: true })).toEqual({ revoked: true });
    expect(await repo().get(userId, 'acme')).toBeNull();
    expect(await access.connections()).toEqual([]);
    await expect(access.token('acme')).rejects.toMatchObject({ code: 'not_connected' });
  });

  it("refuses an empty user id and the reserved @ ids, so a job cannot reach the app's connections", () => {
    for (const id of ['', '@app', '@client-credentials:x']) {
      let thrown: unknown;
      try {
        stack().router.forUser(id);
      } catch (err) {
        thrown = err;
      }
      expect(thrown).toBeInstanceOf(OAuthRouterError);
      expect(thrown).toMatchObject({ code: 'invalid_request' });
    }
  });

  it('makes exactly one refresh when jobs in 3 processes call for one user on an expired token', async () => {
    const { userId } = await connectedUser();
    const config = {
      redisUrl: redis().url,
      issuer: stack().op.issuer,
      baseUrl: stack().baseUrl,
      key: KEY,
      secret: TEST_SECRET,
      clientSecret: CLIENT_SECRET,
      userId,
      url: me(),
      calls: 20,
    };
    const jobs = await Promise.all([startJob(config), startJob(config), startJob(config)]);
    try {
      for (let round = 0; round < 2; round++) {
        await expireConnection(repo(), userId);
        const before = refreshes(stack());
        const results = await Promise.all(jobs.map((job) => job.go()));
        expect(results.flat()).toEqual(Array(60).fill(200));
        expect(refreshes(stack())).toBe(before + 1);
        if (round === 0) {
          // Each job ran once; start three fresh processes for the second round.
          jobs.splice(0, 3, ...(await Promise.all([startJob(config), startJob(config), startJob(config)])));
        }
      }
    } finally {
      for (const { child } of jobs) if (child.exitCode === null) child.kill();
    }
  }, 60_000);
});
