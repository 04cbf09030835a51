import { describe, expect, it } from '@jest/globals';
import { requireAuth } from '../../src/index.js';
import { Browser } from '../helpers/browser.js';
import { useRedis } from '../helpers/lifecycle.js';
import { requestApp } from '../helpers/request-app.js';
import { CLIENT_SECRET, type Stack, type StackOptions, signIn, startStack } from '../helpers/stack.js';

const redis = useRedis();
const twoProviders = (issuer: string) => ({
  acme: { issuer, clientId: 'acme-app', clientSecret: CLIENT_SECRET },
  other: { issuer, clientId: 'acme-app', clientSecret: CLIENT_SECRET },
});
let prefixCounter = 0;
async function withStack(
  options: Partial<StackOptions>,
  run: (stack: Stack) => Promise<void>,
): Promise<void> {
  const stack = await startStack({
    redisUrl: redis().url,
    providers: twoProviders,
    ...options,
    router: { keyPrefix: `acct${prefixCounter++}:`, ...options.router },
  });
  try {
    await run(stack);
  } finally {
    await stack.close();
  }
}
const userOf = async (res: Response) => ((await res.json()) as { user: { id: string } }).user;

describe('linking by verified email (default)', () => {
  it('lands a second provider with the same verified email in the same user', () =>
    withStack({}, async (stack) => {
      const first = await userOf(
        await signIn(stack, new Browser(), { provider: 'acme', email: 'same@example.test' }),
      );
      const second = await userOf(
        await signIn(stack, new Browser(), { provider: 'other', email: 'same@example.test' }),
      );
      expect(second.id).toBe(first.id);
    }));

  it('refuses an unverified email that an existing user holds as verified, with email_conflict', () =>
    withStack({}, async (stack) => {
      await signIn(stack, new Browser(), { provider: 'acme', email: 'victim@example.test' });
      const res = await signIn(stack, new Browser(), {
        provider: 'other',
        email: 'victim@example.test',
        emailVerified: false,
      });
      expect(res.status).toBe(409);
      expect(await res.json()).toMatchObject({ error: 'email_conflict' });
    }));

  it('never links an unverified email even when told to create a user instead', () =>
    withStack({ router: { accounts: { onEmailConflict: 'create' } } }, async (stack) => {
      const owner = await userOf(
        await signIn(stack, new Browser(), { provider: 'acme', email: 'owner@example.test' }),
      );
      const res = await signIn(stack, new Browser(), {
        provider: 'other',
        email: 'owner@example.test',
        emailVerified: false,
      });
      expect(res.status).toBe(200);
      expect((await userOf(res)).id).not.toBe(owner.id);
    }));

  it('does not link when the existing user never verified the email', () =>
    withStack({}, async (stack) => {
      const unverified = await userOf(
        await signIn(stack, new Browser(), {
          provider: 'acme',
          email: 'x@example.test',
          emailVerified: false,
        }),
      );
      const verified = await userOf(
        await signIn(stack, new Browser(), { provider: 'other', email: 'x@example.test' }),
      );
      expect(verified.id).not.toBe(unverified.id);
    }));
});

describe("linkBy: 'none'", () => {
  it('keeps one user per provider account, whatever the email', () =>
    withStack({ router: { accounts: { linkBy: 'none' } } }, async (stack) => {
      const a = await userOf(
        await signIn(stack, new Browser(), { provider: 'acme', email: 'same@example.test' }),
      );
      const b = await userOf(
        await signIn(stack, new Browser(), { provider: 'other', email: 'same@example.test' }),
      );
      expect(b.id).not.toBe(a.id);
    }));

  it('still links explicitly: a signed-in user connecting another provider, whatever the email', () =>
    withStack({ router: { accounts: { linkBy: 'none' } } }, async (stack) => {
      const browser = new Browser();
      const me = await userOf(await signIn(stack, browser, { provider: 'acme', email: 'me@example.test' }));
      browser.jar.delete(new URL(stack.op.issuer).host);
      const linked = await userOf(
        await signIn(stack, browser, {
          provider: 'other',
          email: 'different@example.test',
          emailVerified: false,
        }),
      );
      expect(linked.id).toBe(me.id);
    }));
});

describe('scopes', () => {
  const routes: StackOptions['routes'] = (app) => {
    app.get('/needs-write', requireAuth({ scopes: ['write'] }), (_req, res) => {
      res.json({ ok: true });
    });
    app.get('/needs-email', requireAuth({ scopes: ['email'], provider: 'acme' }), (_req, res) => {
      res.json({ ok: true });
    });
    app.get('/granted', requireAuth(), (req, res) => {
      res.json(req.session.oauth?.scopes);
    });
  };

  it('keeps the granted scopes and answers 403 insufficient_scope for a missing one', () =>
    withStack({ routes }, async (stack) => {
      const browser = new Browser();
      await signIn(stack, browser);
      const json = { accept: 'application/json' };
      expect(await (await browser.request(stack.url('/granted'), { headers: json })).json()).toEqual({
        acme: expect.arrayContaining(['openid', 'email', 'profile']),
      });
      expect((await browser.request(stack.url('/needs-email'), { headers: json })).status).toBe(200);
      const denied = await browser.request(stack.url('/needs-write'), { headers: json });
      expect(denied.status).toBe(403);
      expect(await denied.json()).toMatchObject({
        error: 'insufficient_scope',
        provider: 'acme',
        missingScopes: ['write'],
        loginUrl: '/auth/acme/login',
      });
    }));

  it('sends a page navigation through the login asking for just the missing scopes', () =>
    withStack({ routes }, async (stack) => {
      const browser = new Browser();
      await signIn(stack, browser);
      const res = await browser.request(stack.url('/needs-write'), {
        headers: { accept: 'text/html', 'sec-fetch-mode': 'navigate' },
      });
      expect(res.status).toBe(302);
      const location = new URL(res.headers.get('location') as string, stack.origin);
      expect(location.pathname).toBe('/auth/acme/login');
      expect(location.searchParams.get('scope')).toBe('write');
      expect(location.searchParams.get('returnTo')).toBe('/needs-write');
    }));
});

describe('provider list and RP-initiated logout', () => {
  it('lists the providers with their login routes', () =>
    withStack({}, async (stack) => {
      const res = await requestApp(stack).get('/auth/providers');
      const expected = [
        { name: 'acme', displayName: 'acme', loginUrl: '/auth/acme/login' },
        { name: 'other', displayName: 'other', loginUrl: '/auth/other/login' },
      ];
      expect(res.body).toEqual(expected);
      expect(stack.router.providers()).toEqual(expected);
    }));

  it('ends the session at the provider too when configured, after ending ours', () =>
    withStack(
      {
        providers: (issuer) => ({
          acme: { issuer, clientId: 'acme-app', clientSecret: CLIENT_SECRET, endSessionOnLogout: true },
        }),
        router: { logoutRedirect: '/bye' },
      },
      async (stack) => {
        const browser = new Browser();
        await signIn(stack, browser);
        const res = await browser.request(stack.url('/auth/acme/logout'), { method: 'POST' });
        expect(res.status).toBe(303);
        const url = new URL(res.headers.get('location') as string);
        expect(`${url.origin}${url.pathname}`).toBe(`${stack.op.issuer}/session/end`);
        expect(url.searchParams.get('client_id')).toBe('acme-app');
        expect(url.searchParams.get('post_logout_redirect_uri')).toBe(stack.url('/bye'));
        expect(
          (await browser.request(stack.url('/me'), { headers: { accept: 'application/json' } })).status,
        ).toBe(401);
      },
    ));
});
