import { describe, expect, it } from '@jest/globals';
import { type Keyring, parseKeyring } from '../../src/config/keyring.js';
import { type ConnectionInfo, type OAuthRouterEventMap, RedisTokenRepository } from '../../src/index.js';
import type { ConnectionRecord } from '../../src/tokens/types.js';
import { Browser } from '../helpers/browser.js';
import { useRedis, useStack } from '../helpers/lifecycle.js';
import { CLIENT_SECRET, type Stack, signIn } from '../helpers/stack.js';
import { expireConnection, newKey, revokeAtProvider, unseal, vaultRoutes } from '../helpers/vault.js';

const K1 = newKey();
const redis = useRedis();
let opIssuer = '';
const stack = useStack(() => ({
  redisUrl: redis().url,
  providers: (issuer) => {
    opIssuer = issuer;
    return {
      // A generic OIDC provider in integration mode: offline_access with prompt=consent, so refresh tokens.
      acme: {
        issuer,
        clientId: 'acme-app',
        clientSecret: CLIENT_SECRET,
        mode: 'integration' as const,
        loginParams: ['login_hint', 'prompt'],
      },
      // Integration mode without offline_access: the provider grants no refresh token (OIDC Core §11).
      other: {
        issuer,
        clientId: 'acme-app',
        clientSecret: CLIENT_SECRET,
        mode: 'integration' as const,
        scopes: ['openid', 'email', 'profile'],
      },
    };
  },
  router: { tokenEncryption: { keys: { k1: K1 }, current: 'k1' } },
  routes: vaultRoutes(() => `${opIssuer}/me`),
}));

const json = { accept: 'application/json' };
const repo = () => new RedisTokenRepository(redis().client(), 'oar:');
const keyring = parseKeyring({ keys: { k1: K1 }, current: 'k1' }, 'k', []) as Keyring;
const refreshes = (s: Stack) => s.op.tokenRequests.get('refresh_token') ?? 0;

type Listed = Omit<ConnectionInfo, 'expiresAt' | 'updatedAt' | 'createdAt' | 'lastRefreshAt'> & {
  expiresAt: string | null;
  createdAt: string | null;
  lastRefreshAt: string | null;
};

async function signedIn(s: Stack, provider = 'acme') {
  const browser = new Browser();
  const email = `h${Math.random().toString(36).slice(2)}@example.test`;
  const res = await signIn(s, browser, { email, provider });
  expect(res.status).toBe(200);
  const { user } = (await res.json()) as { user: { id: string } };
  return { browser, userId: user.id, email };
}

async function connections(browser: Browser): Promise<Listed[]> {
  const res = await browser.request(stack().url('/api/connections'), { headers: json });
  expect(res.status).toBe(200);
  return (await res.json()) as Listed[];
}

async function loginLocation(browser: Browser, provider = 'acme', query = ''): Promise<URL> {
  const res = await browser.request(stack().url(`/auth/${provider}/login${query}`));
  expect(res.status).toBe(302);
  await res.arrayBuffer();
  return new URL(res.headers.get('location') as string);
}

describe('token health in the management view', () => {
  it('reports a new connection with a refresh token as ok, with when it was made and how to reconnect', async () => {
    const before = Date.now();
    const { browser } = await signedIn(stack());
    const [acme] = await connections(browser);
    expect(acme).toMatchObject({
      provider: 'acme',
      status: 'active',
      health: 'ok',
      hasRefreshToken: true,
      lastRefreshAt: null,
      lastError: null,
      loginUrl: '/auth/acme/login',
    });
    expect(Date.parse(acme?.createdAt as string)).toBeGreaterThanOrEqual(before);
    expect(Date.parse(acme?.expiresAt as string)).toBeGreaterThan(Date.now());
  });

  it('records each refresh, keeping when the connection was made', async () => {
    const { browser, userId } = await signedIn(stack());
    const [first] = await connections(browser);
    await expireConnection(repo(), userId);
    const count = refreshes(stack());
    expect((await browser.request(stack().url('/api/profile'), { headers: json })).status).toBe(200);
    expect(refreshes(stack())).toBe(count + 1);
    const [after] = await connections(browser);
    expect(after).toMatchObject({ health: 'ok', hasRefreshToken: true, createdAt: first?.createdAt });
    expect(Date.parse(after?.lastRefreshAt as string)).toBeGreaterThanOrEqual(
      Date.parse(first?.createdAt as string),
    );
  });

  it('says needs_reauth with the provider error when the refresh token is refused', async () => {
    const { browser, userId } = await signedIn(stack());
    const tokens = unseal(keyring, (await repo().get(userId, 'acme')) as ConnectionRecord);
    await revokeAtProvider(stack().op.issuer, CLIENT_SECRET, tokens.refreshToken as string, 'refresh_token');
    await expireConnection(repo(), userId);
    expect((await browser.request(stack().url('/api/profile'), { headers: json })).status).toBe(401);
    const [acme] = await connections(browser);
    expect(acme).toMatchObject({
      status: 'needs_reauth',
      health: 'needs_reauth',
      lastError: { code: 'reauth_required', providerError: 'invalid_grant' },
    });
  });
});

describe('a grant without a refresh token', () => {
  it('is visible: no_refresh_token in the view, an event, and a log line that says the usual cause', async () => {
    const seen: OAuthRouterEventMap['refreshTokenMissing'][] = [];
    const listener = (payload: OAuthRouterEventMap['refreshTokenMissing']) => seen.push(payload);
    stack().router.events.on('refreshTokenMissing', listener);
    const logged = stack().logs.length;
    try {
      const { browser, userId } = await signedIn(stack(), 'other');
      const record = (await repo().get(userId, 'other')) as ConnectionRecord;
      expect(unseal(keyring, record).refreshToken).toBeNull();
      const [other] = await connections(browser);
      expect(other).toMatchObject({
        provider: 'other',
        health: 'no_refresh_token',
        hasRefreshToken: false,
      });
      expect(seen).toEqual([{ userId, provider: 'other' }]);
      const warning = stack()
        .logs.slice(logged)
        .find((l) => l.message.includes('sent no refresh token'));
      expect(warning?.level).toBe('warn');
      expect(warning?.message).toContain('offline_access');
    } finally {
      stack().router.events.off('refreshTokenMissing', listener);
    }
  });

  it('is not reported for a provider that sent one', async () => {
    const seen: unknown[] = [];
    const listener = (payload: unknown) => seen.push(payload);
    stack().router.events.on('refreshTokenMissing', listener);
    try {
      await signedIn(stack());
      expect(seen).toEqual([]);
    } finally {
      stack().router.events.off('refreshTokenMissing', listener);
    }
  });
});

describe('consent only when it is needed for a refresh token', () => {
  it('asks a browser nobody is signed in on for consent (the user is not known yet)', async () => {
    expect((await loginLocation(new Browser())).searchParams.get('prompt')).toBe('consent');
  });

  it('skips consent for a signed-in user who holds a refresh token, and the held token keeps working', async () => {
    const { browser, userId, email } = await signedIn(stack());
    expect((await loginLocation(browser)).searchParams.has('prompt')).toBe(false);
    // The provider remembers the user and answers without a form; without consent it drops offline_access.
    const again = await signIn(stack(), browser, { email });
    expect(again.status).toBe(200);
    const [acme] = await connections(browser);
    expect(acme).toMatchObject({ health: 'ok', hasRefreshToken: true });
    await expireConnection(repo(), userId);
    expect((await browser.request(stack().url('/api/profile'), { headers: json })).status).toBe(200);
  });

  it('asks for consent again when the held connection needs reauth', async () => {
    const { browser, userId } = await signedIn(stack());
    const record = (await repo().get(userId, 'acme')) as ConnectionRecord;
    await repo().put({ ...record, version: record.version + 1, status: 'needs_reauth' }, record.version);
    expect((await loginLocation(browser)).searchParams.get('prompt')).toBe('consent');
  });

  it('keeps consent that the app itself asked for, and a prompt the login passes', async () => {
    const { browser } = await signedIn(stack());
    expect((await loginLocation(browser, 'acme', '?prompt=consent')).searchParams.get('prompt')).toBe(
      'consent',
    );
  });
});

describe('login parameters passed through an allowlist', () => {
  it('passes an allowlisted login_hint and prompt to the provider', async () => {
    const url = await loginLocation(
      new Browser(),
      'acme',
      '?login_hint=ada%40example.test&prompt=select_account',
    );
    expect(url.searchParams.get('login_hint')).toBe('ada@example.test');
    expect(url.searchParams.get('prompt')).toBe('select_account');
  });

  it('ignores parameters that are not allowlisted', async () => {
    const url = await loginLocation(new Browser(), 'other', '?login_hint=ada%40example.test&prompt=none');
    expect(url.searchParams.has('login_hint')).toBe(false);
    expect(url.searchParams.has('prompt')).toBe(false);
  });

  it('refuses a malformed value with invalid_request before anything is stored', async () => {
    for (const query of [
      '?prompt=none%20consent',
      '?prompt=whatever',
      '?login_hint=a%0D%0Ab',
      `?login_hint=${'x'.repeat(257)}`,
    ]) {
      const res = await new Browser().request(stack().url(`/auth/acme/login${query}`), { headers: json });
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({ error: 'invalid_request' });
    }
  });
});
