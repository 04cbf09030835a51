import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { flowStateKey } from '../../src/flow/flow-state.js';
import { Browser } from '../helpers/browser.js';
import { startRedis, type TestRedis } from '../helpers/redis-server.js';
import { authorize, CLIENT_SECRET, type Stack, sendCallback, startStack } from '../helpers/stack.js';

let redis: TestRedis;
let stack: Stack;
beforeAll(async () => {
  redis = await startRedis();
  stack = await startStack({
    redisUrl: redis.url,
    providers: (issuer) => ({
      acme: { issuer, clientId: 'acme-app', clientSecret: CLIENT_SECRET },
      other: { issuer, clientId: 'acme-app', clientSecret: CLIENT_SECRET },
    }),
  });
});
afterAll(async () => {
  await stack.close();
  await redis.stop();
});

const stateOf = (url: URL) => url.searchParams.get('state') as string;

describe('state: CSRF protection of the callback', () => {
  it.each(['short', 'A'.repeat(42), `${'A'.repeat(42)}!`, `${'A'.repeat(43)}A`])(
    'replaces a malformed binding cookie (%j) with a fresh random id',
    async (planted) => {
      const browser = new Browser();
      const host = new URL(stack.origin).host;
      browser.setCookie(host, 'oauth.flow', planted);
      const response = await authorize(stack, browser);
      const id = browser.cookie(host, 'oauth.flow') as string;
      expect(id).not.toBe(planted);
      expect(id).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect((await sendCallback(browser, response)).status).toBe(200);
    },
  );

  it('rejects a replayed state with invalid_state', async () => {
    const browser = new Browser();
    const response = await authorize(stack, browser);
    expect((await sendCallback(browser, response)).status).toBe(200);
    const replay = await sendCallback(browser, response);
    expect(replay.status).toBe(400);
    expect(await replay.json()).toMatchObject({ error: 'invalid_state' });
  });

  it('lets exactly one of many concurrent replays of the same callback through', async () => {
    const browser = new Browser();
    const response = await authorize(stack, browser);
    const results = await Promise.all(Array.from({ length: 8 }, () => sendCallback(browser, response)));
    const statuses = results.map((r) => r.status).sort();
    expect(statuses.filter((s) => s === 200)).toHaveLength(1);
    expect(statuses.filter((s) => s === 400)).toHaveLength(7);
  });

  it('rejects a callback from a browser other than the one that started the login', async () => {
    const attacker = new Browser();
    const response = await authorize(stack, attacker);
    // The victim has a binding cookie of its own (it started a login earlier) ...
    const victim = new Browser();
    await victim.request(stack.url('/auth/acme/login'));
    const res = await sendCallback(victim, response);
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: 'invalid_state' });
    // ... or none at all.
    const fresh = await sendCallback(new Browser(), await authorize(stack, new Browser()));
    expect(fresh.status).toBe(400);
  });

  it('rejects a tampered state with invalid_state', async () => {
    const browser = new Browser();
    const response = await authorize(stack, browser);
    const state = stateOf(response.url);
    response.url.searchParams.set('state', `${state.slice(0, -1)}${state.endsWith('A') ? 'B' : 'A'}`);
    const res = await sendCallback(browser, response);
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: 'invalid_state' });
  });

  it('rejects a callback without state', async () => {
    const browser = new Browser();
    const response = await authorize(stack, browser);
    response.url.searchParams.delete('state');
    expect((await sendCallback(browser, response)).status).toBe(400);
  });

  it("rejects a state presented at another provider's callback", async () => {
    const browser = new Browser();
    const response = await authorize(stack, browser, { provider: 'acme' });
    response.url.pathname = response.url.pathname.replace('/acme/', '/other/');
    const res = await sendCallback(browser, response);
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: 'invalid_state' });
  });

  it('keeps the pending login in Redis with a TTL of at most 300 s, and deletes it on the callback', async () => {
    const client = redis.client();
    const browser = new Browser();
    const response = await authorize(stack, browser);
    const key = flowStateKey('oar:', stateOf(response.url));
    const ttl = await client.ttl(key);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(300);
    const stored = (await client.get(key)) as string;
    // Only hashes of the state and binding are stored, never the state itself.
    expect(stored).not.toContain(stateOf(response.url));
    expect((await sendCallback(browser, response)).status).toBe(200);
    expect(await client.exists(key)).toBe(0);
  });
});

describe('state: expiry', () => {
  let shortLived: Stack;
  beforeAll(async () => {
    shortLived = await startStack({ redisUrl: redis.url, router: { stateTtlSeconds: 1, keyPrefix: 'ttl:' } });
  });
  afterAll(async () => {
    await shortLived.close();
  });

  it('rejects a state used after its TTL with invalid_state', async () => {
    const browser = new Browser();
    const response = await authorize(shortLived, browser);
    // Redis expires the key itself; waiting past the 1 s TTL is the attack (a stale, possibly leaked state).
    await new Promise((r) => setTimeout(r, 1_200));
    const res = await sendCallback(browser, response);
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: 'invalid_state' });
  });
});
