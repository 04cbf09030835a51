import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ConfigError, oauthRouter, RedisTokenRepository } from '../../src/index.js';
import { Browser } from '../helpers/browser.js';
import { type FakeSaas, startFakeSaas } from '../helpers/fake-saas.js';
import { useRedis, useStack } from '../helpers/lifecycle.js';
import { requestApp } from '../helpers/request-app.js';
import { CLIENT_SECRET, signIn, TEST_SECRET } from '../helpers/stack.js';
import { expireConnection, newKey } from '../helpers/vault.js';

// A plain OAuth 2.0 provider with no profile endpoint, used only to connect its API to the signed-in user.
const SAAS_SECRET = 'saas-secret-0123456789';
let saas: FakeSaas;
beforeAll(async () => {
  saas = await startFakeSaas('saas-app', SAAS_SECRET);
});
afterAll(() => saas.close());

const saasOptions = () => ({
  authorizationUrl: `${saas.origin}/oauth/authorize`,
  tokenUrl: `${saas.origin}/oauth/token`,
  clientId: 'saas-app',
  clientSecret: SAAS_SECRET,
  scopes: ['workspace:read'],
  mode: 'integration' as const,
});

const redis = useRedis();
const stack = useStack(() => ({
  redisUrl: redis().url,
  providers: (issuer) => ({
    acme: { issuer, clientId: 'acme-app', clientSecret: CLIENT_SECRET },
    saas: saasOptions(),
  }),
  router: { tokenEncryption: { keys: { k1: newKey() }, current: 'k1' } },
  routes: (app) => {
    app.get('/api/workspace', async (req, res, next) => {
      try {
        const api = await req.oauth.fetch('saas', `${saas.origin}/api/workspace`);
        res.status(api.status).json(await api.json());
      } catch (err) {
        next(err);
      }
    });
  },
}));
const json = { accept: 'application/json' };
const repo = () => new RedisTokenRepository(redis().client(), 'oar:');

function configProblems(providers: Record<string, unknown>): string {
  try {
    oauthRouter({
      baseUrl: 'http://localhost:3000',
      session: { secret: TEST_SECRET },
      tokenEncryption: { keys: { k1: newKey() }, current: 'k1' },
      providers: providers as never,
    });
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error('expected a ConfigError');
}

describe('an integration-only plain OAuth 2.0 provider', () => {
  it('needs no userinfoUrl or profile in integration mode, but names both fields and the fix otherwise', () => {
    expect(() =>
      oauthRouter({
        baseUrl: 'http://localhost:3000',
        session: { secret: TEST_SECRET },
        tokenEncryption: { keys: { k1: newKey() }, current: 'k1' },
        providers: { saas: saasOptions() },
      }),
    ).not.toThrow();
    const signin = configProblems({ saas: { ...saasOptions(), mode: 'signin' } });
    expect(signin).toContain('providers.saas.userinfoUrl is required');
    expect(signin).toContain('providers.saas.mode to "integration"');
    const profile = configProblems({ saas: { ...saasOptions(), profile: () => ({}) } });
    expect(profile).toContain('providers.saas.profile has nothing to map without providers.saas.userinfoUrl');
  });

  it('refuses a login with nobody signed in: unauthenticated, saying to sign in first', async () => {
    const res = await requestApp(stack()).get('/auth/saas/login').set(json);
    expect(res.status).toBe(401);
    expect(res.body).toEqual({ error: 'unauthenticated', message: 'You need to sign in.' });
    // Refused before the provider is involved: no redirect, no pending login.
    expect(res.headers.location).toBeUndefined();
    expect(await redis().client().keys('oar:flow:*')).toEqual([]);
  });

  it('connects the API to the signed-in user without a profile, keeping the session, and refreshes through forUser', async () => {
    const browser = new Browser();
    const first = await signIn(stack(), browser, { email: 'saas-user@example.test' });
    const { user } = (await first.json()) as { user: { id: string } };
    const usersBefore = (await redis().client().keys('oar:user:*')).length;
    const start = await browser.request(stack().url('/auth/saas/login'));
    expect(start.status).toBe(302);
    const done = await browser.follow(new URL(start.headers.get('location') as string), () => false);
    expect(done.res.status).toBe(200);
    expect(await done.res.json()).toEqual({ connected: { provider: 'saas', owner: 'user' } });
    // Still the same user and session; nobody was created or linked.
    const me = (await (await browser.request(stack().url('/me'), { headers: json })).json()) as {
      user: { id: string };
    };
    expect(me.user.id).toBe(user.id);
    expect((await redis().client().keys('oar:user:*')).length).toBe(usersBefore);
    expect(await repo().get(user.id, 'saas')).toMatchObject({ status: 'active', scopes: ['workspace:read'] });

    const api = await browser.request(stack().url('/api/workspace'), { headers: json });
    expect(api.status).toBe(200);
    expect(await api.json()).toEqual({ workspace: expect.stringMatching(/^workspace-/) });

    await expireConnection(repo(), user.id, 'saas');
    const before = saas.tokenRequests.get('refresh_token') ?? 0;
    const res = await stack().router.forUser(user.id).fetch('saas', `${saas.origin}/api/workspace`);
    expect(res.status).toBe(200);
    expect(saas.tokenRequests.get('refresh_token')).toBe(before + 1);
  });
});
