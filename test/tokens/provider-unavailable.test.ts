import type { IncomingMessage, ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from '@jest/globals';
import { ProviderUnavailableError, RedisTokenRepository } from '../../src/index.js';
import { Browser } from '../helpers/browser.js';
import { useRedis, useStack } from '../helpers/lifecycle.js';
import { CLIENT_SECRET, type Stack, type StackOptions, signIn, startStack } from '../helpers/stack.js';
import { expireConnection, newKey, vaultRoutes } from '../helpers/vault.js';

const KEY = newKey();
const redis = useRedis();
let opIssuer = '';
const options = (): StackOptions => ({
  redisUrl: redis().url,
  providers: (issuer) => {
    opIssuer = issuer;
    return {
      acme: { issuer, clientId: 'acme-app', clientSecret: CLIENT_SECRET, mode: 'integration' as const },
    };
  },
  router: { tokenEncryption: { keys: { k1: KEY }, current: 'k1' } },
  routes: vaultRoutes(() => `${opIssuer}/me`),
});
const stack = useStack(options);
const json = { accept: 'application/json' };
const repo = () => new RedisTokenRepository(redis().client(), 'oar:');

/** Makes the provider's token endpoint answer `status` with these headers; counts the requests it refuses. */
function busyTokenEndpoint(s: Stack, status: number, headers: Record<string, string>) {
  const seen = { count: 0 };
  s.op.intercept = (req: IncomingMessage, res: ServerResponse) => {
    if (req.method !== 'POST' || req.url !== '/token') return false;
    seen.count += 1;
    req.resume();
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end('{"error":"temporarily_unavailable"}');
    return true;
  };
  return seen;
}

async function signedIn(s: Stack) {
  const browser = new Browser();
  const res = await signIn(s, browser, { email: `busy-${Math.random().toString(36).slice(2)}@example.test` });
  expect(res.status).toBe(200);
  return { browser, userId: ((await res.json()) as { user: { id: string } }).user.id };
}

describe('a token endpoint that asks to wait (429/503 with Retry-After)', () => {
  it('is not called again by any instance before that time; callers get provider_unavailable at once', async () => {
    const { browser, userId } = await signedIn(stack());
    await expireConnection(repo(), userId);
    const busy = busyTokenEndpoint(stack(), 503, { 'retry-after': '30' });
    const second = await startStack({ ...options(), sharedOp: stack().op });
    try {
      const res = await browser.request(stack().url('/api/profile'), { headers: json });
      expect(res.status).toBe(503);
      const body = (await res.json()) as { error: string; retryAfter: number };
      expect(body).toMatchObject({ error: 'provider_unavailable', provider: 'acme' });
      expect(body.retryAfter).toBeGreaterThanOrEqual(29);
      expect(body.retryAfter).toBeLessThanOrEqual(30);
      expect(busy.count).toBe(1);
      // The same instance, and another one on the same Redis, wait without asking the provider.
      expect((await browser.request(stack().url('/api/profile'), { headers: json })).status).toBe(503);
      const elsewhere = await second.router
        .forUser(userId)
        .token('acme')
        .catch((err: unknown) => err);
      expect(elsewhere).toBeInstanceOf(ProviderUnavailableError);
      expect((elsewhere as ProviderUnavailableError).retryAfterSeconds()).toBeGreaterThanOrEqual(28);
      expect(busy.count).toBe(1);
      // The connection keeps its refresh token and says why the last refresh failed.
      const list = (await (
        await browser.request(stack().url('/api/connections'), { headers: json })
      ).json()) as { status: string; health: string; lastError: { code: string; providerError: string } }[];
      expect(list[0]).toMatchObject({
        status: 'active',
        health: 'refresh_failing',
        lastError: { code: 'provider_unavailable' },
      });
    } finally {
      stack().op.intercept = undefined;
      await second.close();
      await redis().client().del('oar:provider-wait:acme');
    }
  });

  it('holds sign-ins too, and honours an HTTP-date; once it passes, the provider is called again', async () => {
    const { browser, userId } = await signedIn(stack());
    await expireConnection(repo(), userId);
    const busy = busyTokenEndpoint(stack(), 429, {
      'retry-after': new Date(Date.now() + 2_000).toUTCString(),
    });
    try {
      expect((await browser.request(stack().url('/api/profile'), { headers: json })).status).toBe(503);
      expect(busy.count).toBe(1);
      // A sign-in's code exchange waits as well: the callback answers 503 without calling the token endpoint.
      const login = await signIn(stack(), new Browser(), { email: 'waiting@example.test' });
      expect(login.status).toBe(503);
      expect(login.headers.get('retry-after')).toMatch(/^[12]$/);
      expect(await login.json()).toMatchObject({ error: 'provider_unavailable' });
      expect(busy.count).toBe(1);
      stack().op.intercept = undefined;
      await sleep(2_100);
      expect((await browser.request(stack().url('/api/profile'), { headers: json })).status).toBe(200);
    } finally {
      stack().op.intercept = undefined;
    }
  });

  it('waits at most an hour, whatever Retry-After asks for', async () => {
    const { browser, userId } = await signedIn(stack());
    await expireConnection(repo(), userId);
    busyTokenEndpoint(stack(), 503, { 'retry-after': String(7 * 24 * 3600) });
    try {
      const res = await browser.request(stack().url('/api/profile'), { headers: json });
      expect(res.status).toBe(503);
      const { retryAfter } = (await res.json()) as { retryAfter: number };
      expect(retryAfter).toBeGreaterThan(3590);
      expect(retryAfter).toBeLessThanOrEqual(3600);
      expect(await redis().client().ttl('oar:provider-wait:acme')).toBeLessThanOrEqual(3600);
    } finally {
      stack().op.intercept = undefined;
      await redis().client().del('oar:provider-wait:acme');
    }
  });

  it('treats a 503 without Retry-After as a transient provider_error, with no wait', async () => {
    const { browser, userId } = await signedIn(stack());
    await expireConnection(repo(), userId);
    const busy = busyTokenEndpoint(stack(), 503, {});
    try {
      const res = await browser.request(stack().url('/api/profile'), { headers: json });
      expect(res.status).toBe(502);
      expect(await res.json()).toMatchObject({ error: 'provider_error' });
      await browser.request(stack().url('/api/profile'), { headers: json });
      expect(busy.count).toBe(2);
    } finally {
      stack().op.intercept = undefined;
    }
  });
});
