import { describe, expect, it } from '@jest/globals';
import { RedisTokenRepository } from '../../src/index.js';
import { Browser } from '../helpers/browser.js';
import { useRedis, useStack } from '../helpers/lifecycle.js';
import { authorize, CLIENT_SECRET, sendCallback } from '../helpers/stack.js';
import { newKey } from '../helpers/vault.js';

// The real OpenID provider, told to issue refresh tokens as Google does: with the first code of each consent
// (a grant the user just approved), never for a later login that reuses that consent without showing it.
const consented = new Set<string>();
const redis = useRedis();
const stack = useStack(() => ({
  redisUrl: redis().url,
  providers: (issuer) => ({
    acme: {
      preset: 'google',
      issuer,
      clientId: 'acme-app',
      clientSecret: CLIENT_SECRET,
      mode: 'integration' as const,
    },
  }),
  router: { tokenEncryption: { keys: { k1: newKey() }, current: 'k1' } },
  op: {
    configuration: {
      issueRefreshToken: async (_ctx, client, code) => {
        if (!client.grantTypeAllowed('refresh_token') || consented.has(code.grantId as string)) return false;
        consented.add(code.grantId as string);
        return true;
      },
    },
  },
}));
const json = { accept: 'application/json' };
const repo = () => new RedisTokenRepository(redis().client(), 'oar:');

async function logout(browser: Browser) {
  const res = await browser.request(stack().url('/auth/logout'), {
    method: 'POST',
    headers: { ...json, origin: stack().origin },
  });
  expect(res.status).toBe(204);
}

async function loginLocation(browser: Browser): Promise<URL> {
  const res = await browser.request(stack().url('/auth/acme/login'));
  await res.arrayBuffer();
  return new URL(res.headers.get('location') as string);
}

describe('Google in integration mode asks for consent only when no refresh token is held', () => {
  const browser = new Browser();
  let userId = '';

  it('skips consent for a first sign-in, whose consent screen brings the refresh token anyway', async () => {
    const url = await loginLocation(new Browser());
    expect(url.searchParams.get('access_type')).toBe('offline');
    expect(url.searchParams.has('prompt')).toBe(false);
    const res = await sendCallback(browser, await authorize(stack(), browser, { email: 'g@example.test' }), {
      headers: json,
    });
    expect(res.status).toBe(200);
    userId = ((await res.json()) as { user: { id: string } }).user.id;
    expect((await repo().get(userId, 'acme'))?.health?.hasRefreshToken).toBe(true);
  });

  it('signs a returning user in without consent while a refresh token is held', async () => {
    await logout(browser);
    const before = await repo().get(userId, 'acme');
    const response = await authorize(stack(), browser, { email: 'g@example.test' });
    // The provider remembered the user and their consent: straight back, no form.
    const res = await sendCallback(browser, response, { headers: json });
    expect(res.status).toBe(200);
    const after = await repo().get(userId, 'acme');
    expect(after?.health?.hasRefreshToken).toBe(true);
    expect(after?.sealed).not.toBe(before?.sealed);
  });

  it('goes back once with prompt=consent when neither the grant nor the store has a refresh token', async () => {
    await logout(browser);
    await repo().delete(userId, 'acme');
    const response = await authorize(stack(), browser, { email: 'g@example.test' });
    const bounced = await sendCallback(browser, response, { headers: json });
    expect(bounced.status).toBe(302);
    const again = new URL(bounced.headers.get('location') as string);
    expect(again.origin).toBe(new URL(stack().op.issuer).origin);
    expect(again.searchParams.get('prompt')).toBe('consent');
    // The user is signed in already; the provider shows its consent screen, and the grant brings a refresh token.
    expect((await browser.request(stack().url('/me'), { headers: json })).status).toBe(200);
    const interaction = await browser.follow(again, (next) => next.origin === stack().origin);
    expect(interaction.res.status).toBe(200);
    await interaction.res.text();
    const done = await browser.follow(interaction.url, (next) => next.origin === stack().origin, {
      method: 'POST',
      body: new URLSearchParams({
        action: 'login',
        email: 'g@example.test',
        name: 'G',
        email_verified: 'true',
      }),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    const res = await browser.request(done.url, { headers: json });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { user: { id: string } }).user.id).toBe(userId);
    expect((await repo().get(userId, 'acme'))?.health?.hasRefreshToken).toBe(true);
  });

  it('asks a signed-in user without a refresh token for consent up front', async () => {
    await repo().delete(userId, 'acme');
    expect((await loginLocation(browser)).searchParams.get('prompt')).toBe('consent');
  });
});
