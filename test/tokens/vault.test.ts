import { describe, expect, it } from '@jest/globals';
import { type Keyring, parseKeyring } from '../../src/config/keyring.js';
import { RedisTokenRepository } from '../../src/index.js';
import type { ConnectionRecord } from '../../src/tokens/types.js';
import { Browser } from '../helpers/browser.js';
import { useRedis, useStack } from '../helpers/lifecycle.js';
import { requestApp } from '../helpers/request-app.js';
import { CLIENT_SECRET, type Stack, signIn, startStack } from '../helpers/stack.js';
import { expireConnection, newKey, revokeAtProvider, unseal, vaultRoutes } from '../helpers/vault.js';

const K1 = newKey();
const redis = useRedis();
const integration = (issuer: string) => ({
  acme: { issuer, clientId: 'acme-app', clientSecret: CLIENT_SECRET, mode: 'integration' as const },
  other: { issuer, clientId: 'acme-app', clientSecret: CLIENT_SECRET, mode: 'integration' as const },
});
let opIssuer = '';
const stack = useStack(() => ({
  redisUrl: redis().url,
  providers: (issuer) => {
    opIssuer = issuer;
    return integration(issuer);
  },
  router: { tokenEncryption: { keys: { k1: K1 }, current: 'k1' } },
  op: { configuration: { rotateRefreshToken: true } },
  routes: vaultRoutes(() => `${opIssuer}/me`),
}));

const json = { accept: 'application/json' };
const repo = () => new RedisTokenRepository(redis().client(), 'oar:');
const keyring = (keys: Record<string, string>, current: string) =>
  parseKeyring({ keys, current }, 'k', []) as Keyring;
const refreshes = (s: Stack) => s.op.tokenRequests.get('refresh_token') ?? 0;

async function signedIn(s: Stack, email = `u${Math.random().toString(36).slice(2)}@example.test`) {
  const browser = new Browser();
  const res = await signIn(s, browser, { email });
  expect(res.status).toBe(200);
  const { user } = (await res.json()) as { user: { id: string } };
  return { browser, userId: user.id };
}

describe('integration mode keeps sealed tokens', () => {
  it('stores access and refresh tokens, scopes and expiry for (user, provider), sealed', async () => {
    const { browser, userId } = await signedIn(stack());
    const record = (await repo().get(userId, 'acme')) as ConnectionRecord;
    expect(record).toMatchObject({ status: 'active', tokenType: 'bearer', version: 1 });
    expect(record.scopes).toEqual(expect.arrayContaining(['openid', 'offline_access']));
    expect(record.expiresAt).toBeGreaterThan(Date.now());
    const tokens = unseal(keyring({ k1: K1 }, 'k1'), record);
    expect(tokens.refreshToken).toBeTruthy();
    const list = (await (
      await browser.request(stack().url('/api/connections'), { headers: json })
    ).json()) as unknown[];
    expect(list).toEqual([expect.objectContaining({ provider: 'acme', status: 'active' })]);

    // No plaintext token anywhere in Redis: scan every key and every hash field.
    const client = redis().client();
    for (const key of await client.keys('*')) {
      const type = await client.type(key);
      const values =
        type === 'string'
          ? [await client.get(key)]
          : type === 'hash'
            ? Object.values(await client.hgetall(key))
            : [];
      for (const value of values) {
        expect(value).not.toContain(tokens.accessToken);
        expect(value).not.toContain(tokens.refreshToken as string);
      }
    }
  });

  it('asks a generic OIDC provider for offline_access with prompt=consent', async () => {
    const res = await requestApp(stack()).get('/auth/acme/login');
    const url = new URL(res.headers.location as string);
    expect(url.searchParams.get('scope')?.split(' ')).toContain('offline_access');
    expect(url.searchParams.get('prompt')).toBe('consent');
  });

  it('holds connections to several providers at once: a signed-in user connects another provider', async () => {
    const { browser, userId } = await signedIn(stack(), 'multi@example.test');
    const second = await signIn(stack(), browser, { provider: 'other', email: 'multi@example.test' });
    expect(((await second.json()) as { user: { id: string } }).user.id).toBe(userId);
    const list = (await (
      await browser.request(stack().url('/api/connections'), { headers: json })
    ).json()) as {
      provider: string;
      status: string;
    }[];
    expect(list.map((c) => [c.provider, c.status])).toEqual([
      ['acme', 'active'],
      ['other', 'active'],
    ]);
    const viaOther = await browser.request(stack().url('/api/profile?provider=other'), { headers: json });
    expect(viaOther.status).toBe(200);
  });

  it('refuses to connect a provider account that belongs to another user', async () => {
    const { browser: owner } = await signedIn(stack(), 'owner@example.test');
    await signIn(stack(), owner, { provider: 'other', email: 'owner@example.test' });
    const { browser: other } = await signedIn(stack(), 'someone-else@example.test');
    // "someone-else" connects the second provider, logging in there with the account that "owner" holds.
    other.jar.delete(new URL(stack().op.issuer).host);
    const res = await signIn(stack(), other, { provider: 'other', email: 'owner@example.test' });
    expect(res.status).toBe(409);
    expect(await res.json()).toMatchObject({ error: 'account_conflict' });
  });
});

describe('req.oauth.fetch', () => {
  it('calls the API with the bearer token', async () => {
    const { browser } = await signedIn(stack(), 'fetch@example.test');
    const res = await browser.request(stack().url('/api/profile'), { headers: json });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { body: { email: string } }).body.email).toBe('fetch@example.test');
  });

  it('refreshes first when the token has expired, following refresh-token rotation', async () => {
    const { browser, userId } = await signedIn(stack());
    const ring = keyring({ k1: K1 }, 'k1');
    const before = unseal(ring, (await repo().get(userId, 'acme')) as ConnectionRecord);
    for (let round = 0; round < 3; round++) {
      const count = refreshes(stack());
      await expireConnection(repo(), userId);
      const res = await browser.request(stack().url('/api/profile'), { headers: json });
      expect(res.status).toBe(200);
      expect(refreshes(stack())).toBe(count + 1);
    }
    const after = unseal(ring, (await repo().get(userId, 'acme')) as ConnectionRecord);
    expect(after.accessToken).not.toBe(before.accessToken);
    // Rotation: the provider issued a new refresh token each time and we kept the newest.
    expect(after.refreshToken).not.toBe(before.refreshToken);
  });

  it('refreshes once and retries once when the API answers 401', async () => {
    const { browser, userId } = await signedIn(stack());
    const tokens = unseal(keyring({ k1: K1 }, 'k1'), (await repo().get(userId, 'acme')) as ConnectionRecord);
    // The API invalidates the (unexpired) access token early, as resource servers may; the refresh token is fine.
    // (Revoking the access token at oidc-provider would revoke the whole grant, refresh token included.)
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
      const res = await browser.request(stack().url('/api/profile'), { headers: json });
      expect(res.status).toBe(200);
    } finally {
      stack().op.intercept = undefined;
    }
    expect(refreshes(stack())).toBe(count + 1);
    // Exactly one retry, with a new token.
    expect(seen).toHaveLength(2);
    expect(seen[1]).not.toBe(seen[0]);
  });

  it('makes exactly one refresh for 50 concurrent calls on an expired token', async () => {
    const { browser, userId } = await signedIn(stack());
    await expireConnection(repo(), userId);
    const count = refreshes(stack());
    const results = await Promise.all(
      Array.from({ length: 50 }, () => browser.request(stack().url('/api/profile'), { headers: json })),
    );
    expect(results.map((r) => r.status)).toEqual(Array(50).fill(200));
    expect(refreshes(stack())).toBe(count + 1);
  });

  it('marks the connection needs_reauth when the refresh token is revoked, and a new sign-in repairs it', async () => {
    const email = `reauth-${Date.now()}@example.test`;
    const { browser, userId } = await signedIn(stack(), email);
    const tokens = unseal(keyring({ k1: K1 }, 'k1'), (await repo().get(userId, 'acme')) as ConnectionRecord);
    await revokeAtProvider(stack().op.issuer, CLIENT_SECRET, tokens.refreshToken as string, 'refresh_token');
    await expireConnection(repo(), userId);
    const res = await browser.request(stack().url('/api/profile'), { headers: json });
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({
      error: 'reauth_required',
      message: expect.any(String),
      provider: 'acme',
      loginUrl: '/auth/acme/login',
    });
    const list = (await (
      await browser.request(stack().url('/api/connections'), { headers: json })
    ).json()) as {
      status: string;
    }[];
    expect(list[0]?.status).toBe('needs_reauth');
    // Once marked, calls fail at once without asking the provider again.
    const count = refreshes(stack());
    expect((await browser.request(stack().url('/api/profile'), { headers: json })).status).toBe(401);
    expect(refreshes(stack())).toBe(count);
    // Reconnecting stores new tokens and the connection is active again.
    await signIn(stack(), browser, { email });
    expect((await browser.request(stack().url('/api/profile'), { headers: json })).status).toBe(200);
    expect(((await repo().get(userId, 'acme')) as ConnectionRecord).status).toBe('active');
  });

  it('keeps the connection usable after a transient provider error during refresh', async () => {
    const { browser, userId } = await signedIn(stack());
    await expireConnection(repo(), userId);
    const before = (await repo().get(userId, 'acme')) as ConnectionRecord;
    stack().op.intercept = (req, res) => {
      if (req.url !== '/token') return false;
      res.writeHead(503, { 'content-type': 'application/json' }).end('{"error":"temporarily_unavailable"}');
      return true;
    };
    try {
      const res = await browser.request(stack().url('/api/profile'), { headers: json });
      expect(res.status).toBe(502);
      expect(await res.json()).toMatchObject({ error: 'provider_error' });
    } finally {
      stack().op.intercept = undefined;
    }
    // Nothing was lost: the same sealed tokens, still active, the failure noted for the management view, and the
    // next call refreshes with the kept refresh token.
    const after = (await repo().get(userId, 'acme')) as ConnectionRecord;
    expect(after).toMatchObject({ status: 'active', sealed: before.sealed, version: before.version + 1 });
    expect(after.health?.lastError).toMatchObject({
      code: 'provider_error',
      providerError: 'temporarily_unavailable',
    });
    const list = async () =>
      (await (await browser.request(stack().url('/api/connections'), { headers: json })).json()) as {
        health: string;
        lastError: unknown;
      }[];
    expect((await list())[0]).toMatchObject({
      health: 'refresh_failing',
      lastError: { code: 'provider_error' },
    });
    expect((await browser.request(stack().url('/api/profile'), { headers: json })).status).toBe(200);
    expect((await list())[0]).toMatchObject({ health: 'ok', lastError: null });
  });

  it('refuses to send a token to a plain-http API outside loopback, before fetching a token', async () => {
    const { browser } = await signedIn(stack());
    const url = new URL(stack().url('/api/fetch-url'));
    url.searchParams.set('url', 'http://api.example.com/user');
    const res = await browser.request(url, { headers: json });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: 'invalid_request' });
    url.searchParams.set('url', `${stack().op.issuer}/me`);
    expect(await (await browser.request(url, { headers: json })).json()).toEqual({ status: 200 });
  });
});

describe('cross-instance refresh lock', () => {
  it('does not let a crashed lock holder block others beyond the lock TTL', async () => {
    const s = await startStack({
      redisUrl: redis().url,
      providers: integration,
      router: {
        keyPrefix: 'lock:',
        tokenEncryption: { keys: { k1: K1 }, current: 'k1' },
        refresh: { lockTtlSeconds: 1 },
      },
      routes: vaultRoutes(() => `${s.op.issuer}/me`),
    });
    try {
      const { browser, userId } = await signedIn(s);
      const lockRepo = new RedisTokenRepository(redis().client(), 'lock:');
      await expireConnection(lockRepo, userId);
      // A holder that took the lock and died: the key stays until its TTL.
      const lockedAt = Date.now();
      await redis().client().set(`lock:refresh-lock:{${userId}}:acme`, 'dead-holder', 'PX', 1000);
      const res = await browser.request(s.url('/api/profile'), { headers: json });
      expect(res.status).toBe(200);
      expect(refreshes(s)).toBe(1);
      // Ordering, not speed: the refresh waited for the dead holder's lock to expire instead of ignoring it.
      const record = (await lockRepo.get(userId, 'acme')) as ConnectionRecord;
      expect(record.updatedAt - lockedAt).toBeGreaterThanOrEqual(950);
    } finally {
      await s.close();
    }
  });
});

describe('key rotation and binding', () => {
  it('reads records sealed with an old key after rotation and re-seals them with the new key on refresh', async () => {
    const { userId, browser } = await signedIn(stack());
    const K2 = newKey();
    // A second instance on the same Redis and OP, with the new key added and made current.
    const rotated = await startStack({
      redisUrl: redis().url,
      sharedOp: stack().op,
      providers: integration,
      router: { tokenEncryption: { keys: { k2: K2, k1: K1 }, current: 'k2' } },
      routes: vaultRoutes(() => `${stack().op.issuer}/me`),
    });
    try {
      const cookie = browser.cookie(new URL(stack().origin).host, 'oauth.sid') as string;
      const headers = { ...json, cookie: `oauth.sid=${cookie}` };
      expect(((await repo().get(userId, 'acme')) as ConnectionRecord).sealed.startsWith('v1.k1.')).toBe(true);
      expect((await requestApp(rotated).get('/api/profile').set(headers)).status).toBe(200);
      await expireConnection(repo(), userId);
      expect((await requestApp(rotated).get('/api/profile').set(headers)).status).toBe(200);
      const resealed = (await repo().get(userId, 'acme')) as ConnectionRecord;
      expect(resealed.sealed.startsWith('v1.k2.')).toBe(true);
      // An instance that never received k2 cannot read it: roll a new key out to every instance before making it current.
      const stale = await browser.request(stack().url('/api/token'), { headers: json });
      expect(stale.status).toBe(500);
      expect(await stale.json()).toMatchObject({ error: 'token_unreadable' });
    } finally {
      await rotated.close();
    }
  });

  it('refuses a record copied to another user (bound by additional authenticated data)', async () => {
    const victim = await signedIn(stack());
    const attacker = await signedIn(stack());
    const stolen = (await repo().get(victim.userId, 'acme')) as ConnectionRecord;
    const own = (await repo().get(attacker.userId, 'acme')) as ConnectionRecord;
    // Someone with write access to the store copies the victim's sealed tokens into the attacker's row.
    await repo().put({ ...stolen, userId: attacker.userId, version: own.version + 1 }, own.version);
    const res = await attacker.browser.request(stack().url('/api/token'), { headers: json });
    expect(res.status).toBe(500);
    expect(await res.json()).toMatchObject({ error: 'token_unreadable' });
    // The victim's own record is untouched and still works.
    expect((await victim.browser.request(stack().url('/api/token'), { headers: json })).status).toBe(200);
  });
});

describe('revocation', () => {
  it('revokes at the provider and deletes the tokens on logout with revoke=true', async () => {
    const { browser, userId } = await signedIn(stack());
    const tokens = unseal(keyring({ k1: K1 }, 'k1'), (await repo().get(userId, 'acme')) as ConnectionRecord);
    const res = await browser.request(stack().url('/auth/acme/logout?revoke=true'), { method: 'POST' });
    expect(res.status).toBe(204);
    expect(await repo().get(userId, 'acme')).toBeNull();
    expect(await stack().op.provider.RefreshToken.find(tokens.refreshToken as string)).toBeUndefined();
  });

  it('keeps the tokens on a plain logout', async () => {
    const { browser, userId } = await signedIn(stack());
    await browser.request(stack().url('/auth/acme/logout'), { method: 'POST' });
    expect(await repo().get(userId, 'acme')).not.toBeNull();
  });

  it('disconnects a provider without ending the session', async () => {
    const { browser, userId } = await signedIn(stack());
    const res = await browser.request(stack().url('/api/disconnect'), { method: 'POST', headers: json });
    expect(await res.json()).toEqual({ revoked: true });
    expect(await repo().get(userId, 'acme')).toBeNull();
    expect((await browser.request(stack().url('/me'), { headers: json })).status).toBe(200);
    const after = await browser.request(stack().url('/api/profile'), { headers: json });
    expect(await after.json()).toMatchObject({ error: 'not_connected' });
  });
});

describe('client credentials', () => {
  it('caches the app token and renews it once for concurrent callers', async () => {
    const s = stack();
    const before = s.op.tokenRequests.get('client_credentials') ?? 0;
    const tokens = await Promise.all(Array.from({ length: 20 }, () => s.router.clientCredentials('acme')));
    expect(new Set(tokens).size).toBe(1);
    expect(await s.router.clientCredentials('acme')).toBe(tokens[0]);
    expect(s.op.tokenRequests.get('client_credentials')).toBe(before + 1);
    // The cached token is sealed like user tokens.
    const values = await Promise.all(
      (await redis().client().keys('oar:conn:{@client-credentials*')).map((k) =>
        redis().client().hget(k, 'r'),
      ),
    );
    for (const value of values) expect(value).not.toContain(tokens[0] as string);
  });
});
