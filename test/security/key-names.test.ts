import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import { type Keyring, parseKeyring } from '../../src/config/keyring.js';
import { RedisTokenRepository } from '../../src/index.js';
import { Browser } from '../helpers/browser.js';
import { useRedis, useStack } from '../helpers/lifecycle.js';
import { requestApp } from '../helpers/request-app.js';
import { authorize, CLIENT_SECRET, sendCallback } from '../helpers/stack.js';
import { newKey, unseal } from '../helpers/vault.js';

// Key names show up where values do not: MONITOR, SLOWLOG, `redis-cli --bigkeys`, keyspace notifications,
// a provider's metrics dashboard. A secret used as (part of) a key name leaks there: only hashes may be.
const APP = 'myapp://auth/callback';
const K1 = newKey();
const redis = useRedis();
const stack = useStack(() => ({
  redisUrl: redis().url,
  providers: (issuer) => ({
    acme: { issuer, clientId: 'acme-app', clientSecret: CLIENT_SECRET, mode: 'integration' },
  }),
  router: {
    keyPrefix: 'keys:',
    tokenEncryption: { keys: { k1: K1 }, current: 'k1' },
    appCallbacks: { allowedRedirects: [APP] },
  },
}));

async function keyNames(): Promise<string[]> {
  return redis().client().keys('keys:*');
}

function expectNoneContains(keys: string[], secrets: string[]): void {
  expect(keys.length).toBeGreaterThan(0);
  for (const secret of secrets) {
    expect(secret.length).toBeGreaterThan(8);
    for (const key of keys) expect(key).not.toContain(secret);
  }
}

describe('no secret in any Redis key name', () => {
  it('holds a pending login, a sign-in and its sealed tokens under hashed or random names only', async () => {
    const browser = new Browser();
    const response = await authorize(stack(), browser);
    const state = response.url.searchParams.get('state') as string;
    const code = response.url.searchParams.get('code') as string;
    expectNoneContains(await keyNames(), [state]);
    const res = await sendCallback(browser, response);
    expect(res.status).toBe(200);
    const { user } = (await res.json()) as { user: { id: string } };
    const record = await new RedisTokenRepository(redis().client(), 'keys:').get(user.id, 'acme');
    const keyring = parseKeyring({ keys: { k1: K1 }, current: 'k1' }, 'k', []) as Keyring;
    const tokens = unseal(keyring, record as NonNullable<typeof record>);
    expectNoneContains(await keyNames(), [
      state,
      code,
      tokens.accessToken,
      tokens.refreshToken as string,
      CLIENT_SECRET,
    ]);
  });

  it('holds app-session exchange codes and bearer tokens under hashes only', async () => {
    const verifier = randomBytes(32).toString('base64url');
    const challenge = createHash('sha256').update(verifier).digest('base64url');
    const browser = new Browser();
    const login = new URL(stack().url('/auth/acme/login'));
    login.searchParams.set('redirectUrl', APP);
    login.searchParams.set('codeChallenge', challenge);
    const start = await browser.request(login);
    const interaction = await browser.follow(
      start.headers.get('location') as string,
      (next) => next.origin === stack().origin,
    );
    await interaction.res.text();
    const back = await browser.follow(interaction.url, (next) => next.origin === stack().origin, {
      method: 'POST',
      body: new URLSearchParams({
        action: 'login',
        email: 'keys@example.test',
        name: 'K',
        email_verified: 'true',
      }),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    const callback = await browser.request(back.url);
    const exchangeCode = new URL(callback.headers.get('location') as string).searchParams.get(
      'code',
    ) as string;
    expectNoneContains(await keyNames(), [exchangeCode, challenge]);
    const session = (
      await requestApp(stack())
        .post('/auth/session')
        .set('content-type', 'application/json')
        .send(JSON.stringify({ code: exchangeCode, codeVerifier: verifier }))
    ).body as { accessToken: string; refreshToken: string };
    const refreshed = (
      await requestApp(stack())
        .post('/auth/session/refresh')
        .set('content-type', 'application/json')
        .send(JSON.stringify({ refreshToken: session.refreshToken }))
    ).body as { accessToken: string; refreshToken: string };
    expectNoneContains(await keyNames(), [
      exchangeCode,
      verifier,
      session.accessToken,
      session.refreshToken,
      refreshed.accessToken,
      refreshed.refreshToken,
    ]);
  });
});
