import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import { appLogin, exchange, pkcePair } from '../helpers/app-session.js';
import { useRedis, useStack } from '../helpers/lifecycle.js';
import { requestApp } from '../helpers/request-app.js';

// Authorization code interception on a native app (RFC 8252 §8.1, RFC 7636 §1): another app registers the same
// custom scheme and receives the deep link with the exchange code. Only the app that started the login holds the
// PKCE verifier, so the code must be useless without it.
const APP = 'myapp://auth/callback';
const redis = useRedis();
const stack = useStack(() => ({
  redisUrl: redis().url,
  router: { appCallbacks: { allowedRedirects: [APP] } },
}));

const flowKeys = async () => (await redis().client().keys('oar:flow:*')).length;

/** A login request that must be refused before the provider is contacted: 400, no redirect, no state stored. */
async function expectRefusedLogin(query: Record<string, string>): Promise<void> {
  const before = await flowKeys();
  const res = await requestApp(stack()).get(`/auth/acme/login?${new URLSearchParams(query)}`);
  expect(res.status).toBe(400);
  expect(res.headers.location ?? null).toBeNull();
  expect(res.body).toMatchObject({ error: 'invalid_request' });
  expect(await flowKeys()).toBe(before);
}

describe('app callback code interception', () => {
  it('refuses an app login without codeChallenge before contacting the provider', async () => {
    await expectRefusedLogin({ redirectUrl: APP });
  });

  it.each([
    ['too short', 'a'.repeat(42)],
    ['too long', 'a'.repeat(44)],
    ['not base64url', `${'a'.repeat(42)}+`],
    ['padded', `${'a'.repeat(42)}=`],
    ['empty', ''],
  ])('refuses a codeChallenge that is %s', async (_why, codeChallenge) => {
    await expectRefusedLogin({ redirectUrl: APP, codeChallenge });
  });

  it('an intercepted code is useless without the verifier: missing, wrong, or the public challenge itself', async () => {
    const { verifier, challenge } = pkcePair();
    for (const stolenAttempt of [
      {},
      { codeVerifier: pkcePair().verifier },
      // The challenge travels in the login URL, so an interceptor may know it: it must not work as a verifier
      // (that is what the "plain" method would allow).
      { codeVerifier: challenge },
    ]) {
      const code = (await appLogin(stack(), { redirectUrl: APP, codeChallenge: challenge })).searchParams.get(
        'code',
      );
      const res = await exchange(stack(), { code, ...stolenAttempt });
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ error: 'invalid_grant' });
      // The failed attempt burned the code: the interceptor gets no second guess, not even with the verifier.
      expect((await exchange(stack(), { code, codeVerifier: verifier })).status).toBe(400);
    }
  });

  it('refuses an exchange code stored without a challenge (minted by an older instance) even with no verifier', async () => {
    // During a rolling upgrade an older instance may still mint codes for logins that carried no challenge. The
    // exchange must not redeem those for whoever presents them.
    const code = randomBytes(32).toString('base64url');
    const key = `oar:bearer:code:${createHash('sha256').update(code).digest('base64url')}`;
    const user = {
      id: 'u-legacy',
      name: 'Legacy',
      email: 'legacy@example.test',
      emailVerified: true,
      avatarUrl: null,
      createdAt: new Date().toISOString(),
    };
    await redis()
      .client()
      .set(key, JSON.stringify({ user, provider: 'acme' }), 'EX', 60);
    const res = await exchange(stack(), { code });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ error: 'invalid_grant' });
    expect(await redis().client().exists(key)).toBe(0);
  });
});
