import { describe, expect, it } from '@jest/globals';
import { type Keyring, parseKeyring } from '../../src/config/keyring.js';
import { ReauthRequiredError, RedisTokenRepository } from '../../src/index.js';
import type { ConnectionRecord } from '../../src/tokens/types.js';
import { Browser } from '../helpers/browser.js';
import { useRedis, useStack } from '../helpers/lifecycle.js';
import { requestApp } from '../helpers/request-app.js';
import { authorize, CLIENT_SECRET, sendCallback, signIn } from '../helpers/stack.js';
import { newKey, unseal } from '../helpers/vault.js';

// App-level connections: one token for the whole app, connected by an admin with ?connect=app.
const KEY = newKey();
const ADMIN = 'admin@example.test';
const redis = useRedis();
const stack = useStack(() => ({
  redisUrl: redis().url,
  providers: (issuer) => ({
    acme: { issuer, clientId: 'acme-app', clientSecret: CLIENT_SECRET, mode: 'integration' },
  }),
  router: {
    tokenEncryption: { keys: { k1: KEY }, current: 'k1' },
    hooks: { allowAppConnection: ({ user }) => user.email === ADMIN },
  },
}));
const json = { accept: 'application/json' };
const repo = () => new RedisTokenRepository(redis().client(), 'oar:');
const ring = () => parseKeyring({ keys: { k1: KEY }, current: 'k1' }, 'k', []) as Keyring;
const me = () => `${stack().op.issuer}/me`;

async function signedIn(email: string) {
  const browser = new Browser();
  const res = await signIn(stack(), browser, { email });
  const { user } = (await res.json()) as { user: { id: string } };
  return { browser, userId: user.id };
}

describe('app-level connections', () => {
  it('lets an allowed admin connect the provider for the app; forApp() then calls the API with it', async () => {
    const { browser, userId } = await signedIn(ADMIN);
    const res = await signIn(stack(), browser, { email: ADMIN, query: { connect: 'app' } });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ connected: { provider: 'acme', owner: 'app' } });
    const app = stack().router.forApp();
    expect(await app.connections()).toEqual([
      expect.objectContaining({ provider: 'acme', status: 'active' }),
    ]);
    const api = await app.fetch('acme', me());
    expect(api.status).toBe(200);
    // Sealed like the rest, bound to the app's owner id, and separate from the admin's own connection.
    const record = (await repo().get('@app', 'acme')) as ConnectionRecord;
    const appTokens = unseal(ring(), record);
    const adminTokens = unseal(ring(), (await repo().get(userId, 'acme')) as ConnectionRecord);
    expect(appTokens.accessToken).not.toBe(adminTokens.accessToken);
    expect(record.sealed).not.toContain(appTokens.accessToken);
    // The admin is still signed in as themselves.
    const who = (await (await browser.request(stack().url('/me'), { headers: json })).json()) as {
      user: { id: string };
    };
    expect(who.user.id).toBe(userId);
  });

  it('refuses connect=app to a user the hook does not allow, and leaves the app connection as it was', async () => {
    const before = await repo().get('@app', 'acme');
    const { browser } = await signedIn('someone@example.test');
    const res = await browser.request(stack().url('/auth/acme/login?connect=app'), { headers: json });
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({ error: 'sign_in_denied' });
    expect(await repo().get('@app', 'acme')).toEqual(before);
  });

  it('refuses connect=app with nobody signed in (unauthenticated) and a malformed connect value', async () => {
    const anonymous = await requestApp(stack()).get('/auth/acme/login?connect=app').set(json);
    expect(anonymous.status).toBe(401);
    expect(anonymous.body).toMatchObject({ error: 'unauthenticated' });
    const bad = await requestApp(stack()).get('/auth/acme/login?connect=everyone').set(json);
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ error: 'invalid_request' });
  });

  it('refuses a connect=app login whose admin signed out before the callback', async () => {
    const { browser } = await signedIn(ADMIN);
    const before = await repo().get('@app', 'acme');
    const response = await authorize(stack(), browser, { email: ADMIN, query: { connect: 'app' } });
    const host = new URL(stack().origin).host;
    browser.jar.get(host)?.delete('oauth.sid');
    const res = await sendCallback(browser, response, { headers: json });
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ error: 'unauthenticated' });
    expect(await repo().get('@app', 'acme')).toEqual(before);
  });

  it('throws ReauthRequiredError from forApp() with the connect=app login URL once the connection needs reauth', async () => {
    const record = (await repo().get('@app', 'acme')) as ConnectionRecord;
    await repo().put({ ...record, version: record.version + 1, status: 'needs_reauth' }, record.version);
    const err = await stack()
      .router.forApp()
      .token('acme')
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ReauthRequiredError);
    expect(err).toMatchObject({ loginUrl: '/auth/acme/login?connect=app' });
    expect(stack().router.forApp().loginUrl('acme', '/admin')).toBe(
      '/auth/acme/login?connect=app&returnTo=%2Fadmin',
    );
  });
});
