import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Browser } from '../helpers/browser.js';
import { useRedis } from '../helpers/lifecycle.js';
import { requestApp } from '../helpers/request-app.js';
import { authorize, type Stack, sendCallback, signIn, startStack, TEST_SECRET } from '../helpers/stack.js';

const redis = useRedis();

describe('configured redirects', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({
      redisUrl: redis().url,
      router: { successRedirect: '/home', failureRedirect: '/sign-in', logoutRedirect: '/bye' },
    });
  });
  afterAll(async () => {
    await stack.close();
  });

  it('redirects to successRedirect when the login carried no returnTo', async () => {
    const res = await signIn(stack, new Browser());
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe('/home');
  });

  it('redirects a refusal at the provider to failureRedirect?error=access_denied', async () => {
    const browser = new Browser();
    const res = await sendCallback(browser, await authorize(stack, browser, { deny: true }));
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe('/sign-in?error=access_denied');
  });

  it("passes the provider's own error code to failureRedirect next to ours", async () => {
    const browser = new Browser();
    const login = await browser.request(stack.url('/auth/acme/login'));
    const authorization = new URL(login.headers.get('location') as string);
    // The provider answers the authorization request with an error of its own (RFC 6749 §4.1.2.1).
    const back = new URL(authorization.searchParams.get('redirect_uri') as string);
    back.searchParams.set('error', 'temporarily_unavailable');
    back.searchParams.set('state', authorization.searchParams.get('state') as string);
    back.searchParams.set('iss', stack.op.issuer);
    const res = await browser.request(back);
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe(
      '/sign-in?error=provider_error&provider_error=temporarily_unavailable',
    );
  });

  it('redirects an invalid state to failureRedirect?error=invalid_state', async () => {
    const res = await requestApp(stack).get('/auth/acme/callback?state=forged-state-value-0123456789&code=x');
    expect(res.headers.location).toBe('/sign-in?error=invalid_state');
  });

  it('redirects after logout with 303 to logoutRedirect', async () => {
    const browser = new Browser();
    await signIn(stack, browser);
    const res = await browser.request(stack.url('/auth/acme/logout'), { method: 'POST' });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/bye');
    const me = await browser.request(stack.url('/me'), { headers: { accept: 'application/json' } });
    expect(me.status).toBe(401);
  });

  it('answers 404 for logout at an unknown provider', async () => {
    const res = await requestApp(stack).post('/auth/nope/logout');
    expect(res.status).toBe(404);
  });
});

describe('session secret rotation', () => {
  it('keeps sessions signed with the previous secret valid after a new secret is prepended', async () => {
    const before = await startStack({ redisUrl: redis().url, router: { keyPrefix: 'rot:' } });
    const browser = new Browser();
    try {
      expect((await signIn(before, browser)).status).toBe(200);
    } finally {
      await before.close();
    }
    const cookie = browser.cookie(new URL(before.origin).host, 'oauth.sid') as string;
    const newSecret = 'a-brand-new-session-secret-0123456789-abcdef';
    const rotated = await startStack({
      redisUrl: redis().url,
      router: { keyPrefix: 'rot:', session: { secret: [newSecret, TEST_SECRET], secure: false } },
    });
    const withoutOld = await startStack({
      redisUrl: redis().url,
      router: { keyPrefix: 'rot:', session: { secret: newSecret, secure: false } },
    });
    try {
      const headers = { cookie: `oauth.sid=${cookie}`, accept: 'application/json' };
      expect((await requestApp(rotated).get('/me').set(headers)).status).toBe(200);
      // Dropping the old secret entirely invalidates the old cookies: that is how a leaked secret is retired.
      expect((await requestApp(withoutOld).get('/me').set(headers)).status).toBe(401);
    } finally {
      await rotated.close();
      await withoutOld.close();
    }
  });
});
