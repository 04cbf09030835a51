import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import { Browser } from '../helpers/browser.js';
import { useRedis, useStack } from '../helpers/lifecycle.js';
import { CLIENT_SECRET, type Stack } from '../helpers/stack.js';
import { newKey, vaultRoutes } from '../helpers/vault.js';

const APP = 'myapp://auth/callback';
const SPA = 'https://spa.example.com';
const SPA_CALLBACK = `${SPA}/auth/done`;
const redis = useRedis();
let issuer = '';
const stack = useStack(() => ({
  redisUrl: redis().url,
  providers: (i) => {
    issuer = i;
    return { acme: { issuer: i, clientId: 'acme-app', clientSecret: CLIENT_SECRET, mode: 'integration' } };
  },
  router: {
    tokenEncryption: { keys: { k1: newKey() }, current: 'k1' },
    appCallbacks: { allowedRedirects: [APP, SPA_CALLBACK], exchangeCodeTtlSeconds: 2 },
  },
  routes: vaultRoutes(() => `${issuer}/me`),
}));

const json = { 'content-type': 'application/json', accept: 'application/json' };
const pkcePair = () => {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
};

/** Runs the app flow in a browser and returns where the provider's callback finally sent it. */
async function appLogin(
  s: Stack,
  query: Record<string, string>,
  options: { deny?: boolean } = {},
): Promise<URL> {
  const browser = new Browser();
  const login = new URL(s.url('/auth/acme/login'));
  for (const [k, v] of Object.entries(query)) login.searchParams.set(k, v);
  const start = await browser.request(login);
  expect(start.status).toBe(302);
  const interaction = await browser.follow(
    start.headers.get('location') as string,
    (next) => next.origin === s.origin,
  );
  await interaction.res.text();
  const form = new URLSearchParams({
    action: options.deny ? 'deny' : 'login',
    email: 'app@example.test',
    name: 'App User',
    email_verified: 'true',
  });
  const back = await browser.follow(interaction.url, (next) => next.origin === s.origin, {
    method: 'POST',
    body: form,
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
  });
  const callback = await browser.request(back.url);
  expect(callback.status).toBe(303);
  // No cookie session for an app flow.
  expect(browser.cookie(new URL(s.origin).host, 'oauth.sid')).toBeUndefined();
  return new URL(callback.headers.get('location') as string);
}

async function exchange(s: Stack, body: Record<string, string>): Promise<Response> {
  return fetch(s.url('/auth/session'), { method: 'POST', headers: json, body: JSON.stringify(body) });
}

describe('app callbacks', () => {
  it('sends a custom-scheme callback only a one-time code, never a token', async () => {
    const { challenge } = pkcePair();
    const back = await appLogin(stack(), { redirectUrl: APP, codeChallenge: challenge });
    expect(`${back.protocol}//${back.host}${back.pathname}`).toBe(APP);
    expect([...back.searchParams.keys()]).toEqual(['code']);
    expect(back.searchParams.get('code')).toMatch(/^[\w-]{43}$/);
  });

  it('trades the code once, with the right verifier, for a bearer session', async () => {
    const { verifier, challenge } = pkcePair();
    const code = (await appLogin(stack(), { redirectUrl: APP, codeChallenge: challenge })).searchParams.get(
      'code',
    ) as string;
    const wrong = await exchange(stack(), { code, codeVerifier: pkcePair().verifier });
    expect(wrong.status).toBe(400);
    expect(await wrong.json()).toMatchObject({ error: 'invalid_grant' });

    const code2 = (await appLogin(stack(), { redirectUrl: APP, codeChallenge: challenge })).searchParams.get(
      'code',
    ) as string;
    const ok = await exchange(stack(), { code: code2, codeVerifier: verifier });
    expect(ok.status).toBe(200);
    const session = (await ok.json()) as {
      accessToken: string;
      refreshToken: string;
      expiresIn: number;
      user: { email: string };
    };
    expect(session).toMatchObject({
      tokenType: 'Bearer',
      expiresIn: 900,
      user: { email: 'app@example.test' },
    });
    expect(session.accessToken).toMatch(/^oar_at_/);
    expect((await exchange(stack(), { code: code2, codeVerifier: verifier })).status).toBe(400);
    // Stored hashed: neither the code nor the tokens appear in Redis.
    const client = redis().client();
    const everything = (
      await Promise.all((await client.keys('oar:bearer:*')).map((k) => client.get(k)))
    ).join(' ');
    for (const secret of [code2, session.accessToken, session.refreshToken])
      expect(everything).not.toContain(secret);
  });

  it('expires unused codes', async () => {
    const { verifier, challenge } = pkcePair();
    const code = (await appLogin(stack(), { redirectUrl: APP, codeChallenge: challenge })).searchParams.get(
      'code',
    ) as string;
    await new Promise((r) => setTimeout(r, 2_200));
    expect((await exchange(stack(), { code, codeVerifier: verifier })).status).toBe(400);
  });

  it('sends provider errors to the app callback too', async () => {
    const back = await appLogin(
      stack(),
      { redirectUrl: APP, codeChallenge: pkcePair().challenge },
      { deny: true },
    );
    expect(back.searchParams.get('error')).toBe('access_denied');
    expect(back.searchParams.has('code')).toBe(false);
  });

  it.each([
    'myapp://auth/callback.evil',
    'myapp://auth/callbackx',
    'MYAPP://auth/callback?x=1',
    'evilapp://auth/callback',
    'https://spa.example.com:8443/cb',
    'https://spa.example.com.evil.com/cb',
    'http://spa.example.com/cb',
    'https://user@spa.example.com/cb',
    'https://spa.example.com/cb#frag',
    'javascript:alert(1)',
  ])('refuses the unlisted redirectUrl %s before contacting the provider', async (redirectUrl) => {
    const before = stack().op.tokenRequests.size;
    const res = await new Browser().request(
      `${stack().url('/auth/acme/login')}?redirectUrl=${encodeURIComponent(redirectUrl)}&codeChallenge=${pkcePair().challenge}`,
    );
    expect(res.status).toBe(400);
    expect(res.headers.get('location')).toBeNull();
    expect(await res.json()).toMatchObject({ error: 'invalid_request' });
    expect(stack().op.tokenRequests.size).toBe(before);
  });

  it('accepts an allowlisted SPA callback URL and answers its origin’s CORS preflight', async () => {
    const back = await appLogin(stack(), {
      redirectUrl: SPA_CALLBACK,
      codeChallenge: pkcePair().challenge,
    });
    expect(`${back.origin}${back.pathname}`).toBe(SPA_CALLBACK);
    const preflight = await fetch(stack().url('/auth/session'), {
      method: 'OPTIONS',
      headers: { origin: SPA, 'access-control-request-method': 'POST' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe(SPA);
    const foreign = await fetch(stack().url('/auth/session'), {
      method: 'OPTIONS',
      headers: { origin: 'https://evil.example' },
    });
    expect(foreign.headers.get('access-control-allow-origin')).toBeNull();
  });
});

describe('bearer sessions', () => {
  async function newSession(s: Stack) {
    const { verifier, challenge } = pkcePair();
    const code = (await appLogin(s, { redirectUrl: APP, codeChallenge: challenge })).searchParams.get(
      'code',
    ) as string;
    return (await (await exchange(s, { code, codeVerifier: verifier })).json()) as {
      accessToken: string;
      refreshToken: string;
    };
  }
  const bearer = (token: string) => ({ authorization: `Bearer ${token}`, accept: 'application/json' });

  it('passes requireAuth and req.oauth.fetch with the same user and connections as a cookie session', async () => {
    const session = await newSession(stack());
    const me = await fetch(stack().url('/me'), { headers: bearer(session.accessToken) });
    expect(me.status).toBe(200);
    expect(((await me.json()) as { user: { email: string } }).user.email).toBe('app@example.test');
    const api = await fetch(stack().url('/api/profile'), { headers: bearer(session.accessToken) });
    expect(api.status).toBe(200);
    expect((await fetch(stack().url('/me'), { headers: bearer('oar_at_not-a-real-token') })).status).toBe(
      401,
    );
  });

  it('rotates refresh tokens and revokes the whole family when a used one comes back', async () => {
    const first = await newSession(stack());
    const refresh = (token: string) =>
      fetch(stack().url('/auth/session/refresh'), {
        method: 'POST',
        headers: json,
        body: JSON.stringify({ refreshToken: token }),
      });
    const second = (await (await refresh(first.refreshToken)).json()) as {
      accessToken: string;
      refreshToken: string;
    };
    expect(second.refreshToken).not.toBe(first.refreshToken);
    expect((await fetch(stack().url('/me'), { headers: bearer(second.accessToken) })).status).toBe(200);
    // The old refresh token is presented again (stolen, or replayed): everything in the family dies.
    const reuse = await refresh(first.refreshToken);
    expect(reuse.status).toBe(400);
    expect(await reuse.json()).toMatchObject({ error: 'invalid_grant' });
    expect((await fetch(stack().url('/me'), { headers: bearer(second.accessToken) })).status).toBe(401);
    expect((await refresh(second.refreshToken)).status).toBe(400);
  });

  it('revokes the session on logout', async () => {
    const session = await newSession(stack());
    const out = await fetch(stack().url('/auth/logout'), {
      method: 'POST',
      headers: { ...bearer(session.accessToken), origin: SPA },
    });
    expect(out.status).toBe(204);
    expect((await fetch(stack().url('/me'), { headers: bearer(session.accessToken) })).status).toBe(401);
  });
});
