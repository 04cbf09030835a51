import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { RedisTokenRepository } from '../../src/index.js';
import { Browser } from '../helpers/browser.js';
import { type FakeFluxer, startFakeFluxer } from '../helpers/fake-fluxer.js';
import { useRedis } from '../helpers/lifecycle.js';
import { requestApp } from '../helpers/request-app.js';
import { type Stack, startStack } from '../helpers/stack.js';
import { expireConnection, newKey, vaultRoutes } from '../helpers/vault.js';

const CLIENT_ID = '777888999000111222';
const CLIENT_SECRET = 'fluxer-client-secret-0123456789';
const redis = useRedis();
let fluxer: FakeFluxer;
let stack: Stack;
beforeAll(async () => {
  fluxer = await startFakeFluxer(CLIENT_ID, CLIENT_SECRET);
  stack = await startStack({
    redisUrl: redis().url,
    providers: () => ({
      fluxer: {
        clientId: CLIENT_ID,
        clientSecret: CLIENT_SECRET,
        mode: 'integration',
        revokeOnLogout: true,
        authorizationUrl: `${fluxer.origin}/oauth2/authorize`,
        tokenUrl: `${fluxer.origin}/api/oauth2/token`,
        userinfoUrl: `${fluxer.origin}/api/users/@me`,
        revocationUrl: `${fluxer.origin}/api/oauth2/token/revoke`,
      },
    }),
    router: { tokenEncryption: { keys: { k1: newKey() }, current: 'k1' } },
    routes: vaultRoutes(() => `${fluxer.origin}/api/users/@me`),
  });
});
afterAll(async () => {
  await stack.close();
  await fluxer.close();
});

async function signInWithFluxer(browser: Browser, query = ''): Promise<Response> {
  const { url } = await browser.follow(stack.url(`/auth/fluxer/login${query}`), (next) =>
    next.pathname.endsWith('/callback'),
  );
  return browser.request(url);
}

describe('Fluxer preset', () => {
  it('signs in with PKCE, exchanging the code with a JSON body, and maps /api/users/@me', async () => {
    const res = await signInWithFluxer(new Browser());
    expect(res.status).toBe(200);
    expect(((await res.json()) as { user: unknown }).user).toMatchObject({
      name: 'Flux Fan',
      email: 'fan@fluxer.test',
      emailVerified: true,
    });
    const authorization = fluxer.authorizations.at(-1) as URLSearchParams;
    expect(authorization.get('scope')).toBe('identify email');
    expect(authorization.get('code_challenge_method')).toBe('S256');
    expect(fluxer.tokenContentTypes.at(-1)).toMatch(/^application\/json/);
  });

  it('passes a bot install’s guild_id and permissions through the login route, and refuses malformed ones', async () => {
    await signInWithFluxer(new Browser(), '?scope=bot&guild_id=987654321&permissions=8');
    const authorization = fluxer.authorizations.at(-1) as URLSearchParams;
    expect(authorization.get('scope')).toBe('identify email bot');
    expect(authorization.get('guild_id')).toBe('987654321');
    expect(authorization.get('permissions')).toBe('8');
    const bad = await requestApp(stack).get('/auth/fluxer/login?guild_id=1%20OR%201');
    expect(bad.status).toBe(400);
  });

  it('follows single-use refresh tokens through several refreshes', async () => {
    const browser = new Browser();
    const { user } = (await (await signInWithFluxer(browser)).json()) as { user: { id: string } };
    for (let i = 0; i < 3; i++) {
      await expireConnection(new RedisTokenRepository(redis().client(), 'oar:'), user.id, 'fluxer');
      const res = await browser.request(stack.url('/api/profile?provider=fluxer'), {
        headers: { accept: 'application/json' },
      });
      expect(res.status).toBe(200);
    }
    expect(fluxer.grants.filter((g) => g === 'refresh_token')).toHaveLength(3);
  });

  it('revokes the tokens at Fluxer on logout', async () => {
    const browser = new Browser();
    await signInWithFluxer(browser);
    const before = fluxer.revoked.length;
    expect((await browser.request(stack.url('/auth/fluxer/logout'), { method: 'POST' })).status).toBe(204);
    expect(fluxer.revoked.length).toBe(before + 2);
  });

  it('gets a client-credentials token for a bot app', async () => {
    const token = await stack.router.clientCredentials('fluxer', ['bot']);
    expect(token).toMatch(/^[\w-]{43}$/);
    expect(fluxer.grants.at(-1)).toBe('client_credentials');
    expect(fluxer.tokenContentTypes.at(-1)).toMatch(/^application\/json/);
  });
});
