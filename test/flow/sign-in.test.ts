import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Browser } from '../helpers/browser.js';
import { useRedis } from '../helpers/lifecycle.js';
import { requestApp } from '../helpers/request-app.js';
import { authorize, type Stack, sendCallback, signIn, startStack } from '../helpers/stack.js';

const redis = useRedis();

// The same flow mounted at the root and under an app prefix with a custom mount path, so path and
// cookie-path mistakes show.
describe.each([
  { label: 'mounted at /auth', prefix: '', mountPath: '/auth' },
  { label: 'under /myapp with mountPath /login-with', prefix: '/myapp', mountPath: '/login-with' },
])('sign-in flow $label', ({ prefix, mountPath }) => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ redisUrl: redis().url, prefix, router: { mountPath } });
  });
  afterAll(async () => {
    await stack.close();
  });

  it('signs in through the provider and answers JSON { user } without a configured redirect', async () => {
    const browser = new Browser();
    const res = await signIn(stack, browser, { email: 'Ada@Example.test', name: 'Ada Lovelace' });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { user: Record<string, unknown> };
    expect(body.user).toMatchObject({ name: 'Ada Lovelace', email: 'ada@example.test', emailVerified: true });
    expect(typeof body.user.id).toBe('string');
    const me = await browser.request(stack.url('/me'), { headers: { accept: 'application/json' } });
    expect(me.status).toBe(200);
    expect(((await me.json()) as { user: { id: string } }).user.id).toBe(body.user.id);
  });

  it('finds the same user on a second sign-in with the same provider account', async () => {
    const first = (await (await signIn(stack, new Browser(), { email: 'grace@example.test' })).json()) as {
      user: { id: string };
    };
    const second = (await (await signIn(stack, new Browser(), { email: 'grace@example.test' })).json()) as {
      user: { id: string };
    };
    expect(second.user.id).toBe(first.user.id);
  });

  it('redirects to a relative returnTo after sign-in', async () => {
    const res = await signIn(stack, new Browser(), { returnTo: `${prefix}/dashboard?tab=1` });
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe(`${prefix}/dashboard?tab=1`);
  });

  it('sends the login with PKCE S256, state, nonce and the configured redirect_uri', async () => {
    const res = await requestApp(stack).get(`${mountPath}/acme/login`);
    expect(res.status).toBe(302);
    const url = new URL(res.headers.location as string);
    expect(url.origin).toBe(stack.op.issuer);
    expect(url.searchParams.get('code_challenge_method')).toBe('S256');
    expect(url.searchParams.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(url.searchParams.get('state') as string, 'base64url').length).toBeGreaterThanOrEqual(
      32,
    );
    expect(url.searchParams.get('nonce')).toMatch(/^[A-Za-z0-9_-]{43,}$/);
    expect(url.searchParams.get('redirect_uri')).toBe(stack.url(`${mountPath}/acme/callback`));
    expect(res.headers['cache-control']).toBe('no-store');
  });

  it('redirects a browser to the sign-in page and answers an API client 401 when not signed in', async () => {
    const page = await requestApp(stack)
      .get('/me?x=1')
      .set({ accept: 'text/html', 'sec-fetch-mode': 'navigate' });
    expect(page.status).toBe(302);
    const location = new URL(page.headers.location as string, stack.origin);
    expect(location.pathname).toBe(`${prefix}${mountPath}/acme/login`);
    expect(location.searchParams.get('returnTo')).toBe(`${prefix}/me?x=1`);
    const api = await requestApp(stack).get('/me').set('accept', 'application/json');
    expect(api.status).toBe(401);
    expect(api.body).toMatchObject({ error: 'unauthenticated' });
  });

  it('ends the session on logout so the old cookie no longer works', async () => {
    const browser = new Browser();
    await signIn(stack, browser);
    const oldCookie = browser.cookie(new URL(stack.origin).host, 'oauth.sid') as string;
    const out = await browser.request(stack.url(`${mountPath}/logout`), { method: 'POST' });
    expect(out.status).toBe(204);
    expect(browser.cookie(new URL(stack.origin).host, 'oauth.sid')).toBeUndefined();
    const replay = await requestApp(stack)
      .get('/me')
      .set({ cookie: `oauth.sid=${oldCookie}`, accept: 'application/json' });
    expect(replay.status).toBe(401);
  });

  it('maps a refusal at the provider to access_denied', async () => {
    const browser = new Browser();
    const res = await sendCallback(browser, await authorize(stack, browser, { deny: true }));
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({ error: 'access_denied' });
  });

  it('answers 404 unknown_provider for a provider that is not configured', async () => {
    const res = await requestApp(stack).get(`${mountPath}/nope/login`);
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ error: 'unknown_provider', message: expect.any(String) });
  });

  it('routes paths under mountPath whatever their case, as Express does, and leaves look-alike paths to the app', async () => {
    const login = await requestApp(stack).get(`${mountPath.toUpperCase()}/acme/login`);
    expect(login.status).toBe(302);
    expect(new URL(login.headers.location ?? '').origin).toBe(new URL(stack.op.issuer).origin);
    // Not under the mount: the app answers (Express's 404 page), not the router's JSON.
    const lookAlike = await requestApp(stack).get(`${mountPath}x/acme/login`);
    expect(lookAlike.status).toBe(404);
    expect(lookAlike.headers['content-type']).toMatch(/^text\/html/);
  });
});
