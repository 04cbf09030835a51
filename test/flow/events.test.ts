import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { OAuthRouterEventMap, OAuthRouterEventName } from '../../src/index.js';
import { RedisTokenRepository } from '../../src/index.js';
import { Browser } from '../helpers/browser.js';
import { startRedis, type TestRedis } from '../helpers/redis-server.js';
import {
  authorize,
  CLIENT_SECRET,
  type Stack,
  sendCallback,
  signIn,
  startStack,
  TEST_SECRET,
} from '../helpers/stack.js';
import { expireConnection, newKey, vaultRoutes } from '../helpers/vault.js';

type Seen = {
  [K in OAuthRouterEventName]: { event: K; payload: OAuthRouterEventMap[K] };
}[OAuthRouterEventName];

// Its own redis-server: one test stops it to see storeUnavailable.
let redis: TestRedis;
let stack: Stack;
const seen: Seen[] = [];
/** Every secret-bearing value the tests see on the wire; none may appear in any event payload. */
const secrets = new Set<string>([CLIENT_SECRET, TEST_SECRET]);
const KEY = newKey();

beforeAll(async () => {
  redis = await startRedis();
  stack = await startStack({
    redisUrl: redis.url,
    providers: (issuer) => ({
      acme: { issuer, clientId: 'acme-app', clientSecret: CLIENT_SECRET, mode: 'integration' as const },
      other: { issuer, clientId: 'acme-app', clientSecret: CLIENT_SECRET },
    }),
    router: {
      keyPrefix: 'events:',
      tokenEncryption: { keys: { k1: KEY }, current: 'k1' },
      rateLimit: { windowSeconds: 60, max: 1000 },
    },
    routes: vaultRoutes(() => `${stack.op.issuer}/me`),
  });
  secrets.add(KEY);
  const names: OAuthRouterEventName[] = [
    'signIn',
    'signInFailed',
    'logout',
    'refresh',
    'refreshFailed',
    'connectionCreated',
    'connectionRemoved',
    'connectionNeedsReauth',
    'refreshTokenMissing',
    'sessionsEnded',
    'accountUnlinked',
    'userDeleted',
    'revocation',
    'rateLimited',
    'storeUnavailable',
  ];
  for (const event of names) {
    stack.router.events.on(event, (payload: OAuthRouterEventMap[typeof event]) => {
      seen.push({ event, payload } as Seen);
    });
  }
});
afterAll(async () => {
  await stack.close();
  await redis.stop();
});

const ofKind = <K extends OAuthRouterEventName>(event: K) =>
  seen.filter((s): s is Extract<Seen, { event: K }> => s.event === event).map((s) => s.payload);

/** Signs in and remembers what a network observer would call secret: the code, the state, the cookie. */
async function signInNoting(
  browser: Browser,
  options: Parameters<typeof authorize>[2] = {},
): Promise<Response> {
  const response = await authorize(stack, browser, options);
  for (const name of ['code', 'state']) {
    const value = response.url.searchParams.get(name) ?? response.form?.get(name);
    if (value) secrets.add(value);
  }
  const res = await sendCallback(browser, response);
  for (const cookie of res.headers.getSetCookie()) secrets.add(cookie.split(';')[0]?.split('=')[1] ?? '');
  return res;
}

describe('router.events', () => {
  it('tells a new sign-in, a returning one and a linked account apart', async () => {
    seen.length = 0;
    const browser = new Browser();
    const first = await signInNoting(browser, { provider: 'acme', email: 'events@example.test' });
    const userId = ((await first.json()) as { user: { id: string } }).user.id;
    secrets.add(((await (await browser.request(stack.url('/api/token'))).json()) as { token: string }).token);
    await signInNoting(new Browser(), { provider: 'acme', email: 'events@example.test' });
    browser.jar.delete(new URL(stack.op.issuer).host);
    await signInNoting(browser, { provider: 'other', email: 'events-other@example.test' });
    expect(ofKind('signIn')).toEqual([
      { provider: 'acme', userId, kind: 'new', app: false },
      { provider: 'acme', userId, kind: 'returning', app: false },
      { provider: 'other', userId, kind: 'linked', app: false },
    ]);
  });

  it('tells a connection created, refreshed, needing reauth, revoked and removed', async () => {
    const repo = new RedisTokenRepository(redis.client(), 'events:');
    const browser = new Browser();
    seen.length = 0;
    const res = await signInNoting(browser, { provider: 'acme', email: 'vault@example.test' });
    const userId = ((await res.json()) as { user: { id: string } }).user.id;
    expect(ofKind('connectionCreated')).toEqual([{ userId, provider: 'acme' }]);

    await expireConnection(repo, userId);
    const token = await browser.request(stack.url('/api/token'));
    expect(token.status).toBe(200);
    secrets.add(((await token.json()) as { token: string }).token);
    expect(ofKind('refresh')).toEqual([{ userId, provider: 'acme' }]);

    const revoked = await browser.request(stack.url('/api/disconnect'), { method: 'POST' });
    expect(await revoked.json()).toEqual({ revoked: true });
    expect(ofKind('revocation')).toEqual([{ userId, provider: 'acme', outcome: 'ok' }]);
    expect(ofKind('connectionRemoved')).toEqual([{ userId, provider: 'acme' }]);

    browser.jar.delete(new URL(stack.op.issuer).host);
    await signInNoting(browser, { provider: 'acme', email: 'vault@example.test' });
    await stack.op.revokeAll();
    await expireConnection(repo, userId);
    expect((await browser.request(stack.url('/api/token'))).status).toBe(401);
    expect(ofKind('refreshFailed')).toEqual([
      {
        userId,
        provider: 'acme',
        reason: 'needs_reauth',
        code: 'reauth_required',
        providerError: 'invalid_grant',
      },
    ]);
    expect(ofKind('connectionNeedsReauth')).toEqual([{ userId, provider: 'acme' }]);
  });

  it('tells a client that went over the rate limit', async () => {
    const limited = await startStack({
      redisUrl: redis.url,
      router: { keyPrefix: 'events-rl:', rateLimit: { windowSeconds: 60, max: 1 } },
    });
    const events: unknown[] = [];
    limited.router.events.on('rateLimited', (payload) => events.push(payload));
    try {
      const browser = new Browser();
      await browser.request(limited.url('/auth/acme/login'));
      const res = await browser.request(limited.url('/auth/acme/login'), {
        headers: { accept: 'application/json' },
      });
      expect(res.status).toBe(429);
      expect(events).toEqual([{ route: 'login' }]);
    } finally {
      await limited.close();
    }
  });

  it('tells a failed sign-in with our code and the provider’s own error', async () => {
    seen.length = 0;
    const browser = new Browser();
    const res = await sendCallback(browser, await authorize(stack, browser, { deny: true }));
    expect(res.status).toBe(403);
    expect(ofKind('signInFailed')).toEqual([
      { provider: 'acme', code: 'access_denied', providerError: 'access_denied' },
    ]);
  });

  it('names no provider for a callback on a provider that is not configured', async () => {
    seen.length = 0;
    await new Browser().request(stack.url('/auth/%0Aforged/callback?code=x&state=y'));
    expect(ofKind('signInFailed')).toEqual([
      { provider: undefined, code: 'unknown_provider', providerError: undefined },
    ]);
  });

  it('tells a logout', async () => {
    const browser = new Browser();
    const user = (
      (await (await signIn(stack, browser, { email: 'bye@example.test' })).json()) as {
        user: { id: string };
      }
    ).user;
    seen.length = 0;
    const res = await browser.request(stack.url('/auth/logout'), {
      method: 'POST',
      headers: { origin: stack.origin, accept: 'application/json' },
    });
    expect(res.status).toBe(204);
    expect(ofKind('logout')).toEqual([{ userId: user.id, provider: undefined, app: false }]);
  });

  it('keeps a sign-in working when a listener throws, and logs the listener’s failure', async () => {
    const throwing = () => {
      throw new Error('listener bug');
    };
    stack.router.events.on('signIn', throwing);
    try {
      const res = await signIn(stack, new Browser(), { email: 'robust@example.test' });
      expect(res.status).toBe(200);
      expect(stack.logs.some((l) => l.message.includes('a listener of the signIn event threw'))).toBe(true);
    } finally {
      stack.router.events.off('signIn', throwing);
    }
  });

  it('tells a request that failed closed because the store is down', async () => {
    const browser = new Browser();
    await signIn(stack, browser, { email: 'outage@example.test' });
    seen.length = 0;
    await redis.kill();
    try {
      const res = await browser.request(stack.url('/me'), { headers: { accept: 'application/json' } });
      expect(res.status).toBe(503);
    } finally {
      await redis.restart();
    }
    expect(ofKind('storeUnavailable')).toEqual([{ path: '/me' }]);
  });

  it('never carries a token, code, state, cookie or secret in any payload', () => {
    const everything = JSON.stringify(seen) + JSON.stringify(allSeen);
    expect(allSeen.length).toBeGreaterThan(5);
    for (const secret of secrets) {
      if (secret.length >= 8) expect(everything).not.toContain(secret);
    }
  });
});

// Every payload of the file, kept across the `seen.length = 0` resets above, for the secrets scan.
const allSeen: Seen[] = [];
const push = seen.push.bind(seen);
seen.push = (...items: Seen[]) => {
  allSeen.push(...items);
  return push(...items);
};
