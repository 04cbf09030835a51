import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import { Browser } from '../helpers/browser.js';
import { useRedis, useStack } from '../helpers/lifecycle.js';
import { requestApp } from '../helpers/request-app.js';
import { CLIENT_SECRET, type Stack, type StackOptions } from '../helpers/stack.js';
import { newKey, vaultRoutes } from '../helpers/vault.js';

const APP = 'myapp://auth/callback';
const SPA = 'https://spa.example.com';
const SPA_CALLBACK = `${SPA}/auth/done`;
const redis = useRedis();
/** A stack for app callbacks; each has its own OP, so each keeps its own issuer for its API route. */
function appStack(appCallbacks: { exchangeCodeTtlSeconds?: number } = {}): () => StackOptions {
  let issuer = '';
  return () => ({
    redisUrl: redis().url,
    providers: (i) => {
      issuer = i;
      return { acme: { issuer: i, clientId: 'acme-app', clientSecret: CLIENT_SECRET, mode: 'integration' } };
    },
    router: {
      tokenEncryption: { keys: { k1: newKey() }, current: 'k1' },
      appCallbacks: { allowedRedirects: [APP, SPA_CALLBACK], ...appCallbacks },
    },
    routes: vaultRoutes(() => `${issuer}/me`),
  });
}
// The default exchange-code TTL (60 s): a sign-in followed by the exchange never races it, however busy the machine.
const stack = useStack(appStack());

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

function exchange(s: Stack, body: Record<string, string>) {
  return requestApp(s).post('/auth/session').set(json).send(JSON.stringify(body));
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
    expect(wrong.body).toMatchObject({ error: 'invalid_grant' });

    const code2 = (await appLogin(stack(), { redirectUrl: APP, codeChallenge: challenge })).searchParams.get(
      'code',
    ) as string;
    const ok = await exchange(stack(), { code: code2, codeVerifier: verifier });
    expect(ok.status).toBe(200);
    const session = ok.body as {
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
    const res = await requestApp(stack()).get(
      `/auth/acme/login?redirectUrl=${encodeURIComponent(redirectUrl)}&codeChallenge=${pkcePair().challenge}`,
    );
    expect(res.status).toBe(400);
    expect(res.headers.location ?? null).toBeNull();
    expect(res.body).toMatchObject({ error: 'invalid_request' });
    expect(stack().op.tokenRequests.size).toBe(before);
  });

  it('accepts an allowlisted SPA callback URL and answers its origin’s CORS preflight', async () => {
    const back = await appLogin(stack(), {
      redirectUrl: SPA_CALLBACK,
      codeChallenge: pkcePair().challenge,
    });
    expect(`${back.origin}${back.pathname}`).toBe(SPA_CALLBACK);
    const preflight = await requestApp(stack())
      .options('/auth/session')
      .set({ origin: SPA, 'access-control-request-method': 'POST' });
    expect(preflight.status).toBe(204);
    expect(preflight.headers['access-control-allow-origin']).toBe(SPA);
    const foreign = await requestApp(stack()).options('/auth/session').set('origin', 'https://evil.example');
    expect(foreign.headers['access-control-allow-origin'] ?? null).toBeNull();
  });
});

describe('bearer sessions', () => {
  async function newSession(s: Stack) {
    const { verifier, challenge } = pkcePair();
    const code = (await appLogin(s, { redirectUrl: APP, codeChallenge: challenge })).searchParams.get(
      'code',
    ) as string;
    return (await exchange(s, { code, codeVerifier: verifier })).body as {
      accessToken: string;
      refreshToken: string;
    };
  }
  const bearer = (token: string) => ({ authorization: `Bearer ${token}`, accept: 'application/json' });

  it('passes requireAuth and req.oauth.fetch with the same user and connections as a cookie session', async () => {
    const session = await newSession(stack());
    const me = await requestApp(stack()).get('/me').set(bearer(session.accessToken));
    expect(me.status).toBe(200);
    expect((me.body as { user: { email: string } }).user.email).toBe('app@example.test');
    const api = await requestApp(stack()).get('/api/profile').set(bearer(session.accessToken));
    expect(api.status).toBe(200);
    expect((await requestApp(stack()).get('/me').set(bearer('oar_at_not-a-real-token'))).status).toBe(401);
  });

  it('rotates refresh tokens and revokes the whole family when a used one comes back', async () => {
    const first = await newSession(stack());
    const refresh = (token: string) =>
      requestApp(stack())
        .post('/auth/session/refresh')
        .set(json)
        .send(JSON.stringify({ refreshToken: token }));
    const second = (await refresh(first.refreshToken)).body as {
      accessToken: string;
      refreshToken: string;
    };
    expect(second.refreshToken).not.toBe(first.refreshToken);
    expect((await requestApp(stack()).get('/me').set(bearer(second.accessToken))).status).toBe(200);
    // The old refresh token is presented again (stolen, or replayed): everything in the family dies.
    const reuse = await refresh(first.refreshToken);
    expect(reuse.status).toBe(400);
    expect(reuse.body).toMatchObject({ error: 'invalid_grant' });
    expect((await requestApp(stack()).get('/me').set(bearer(second.accessToken))).status).toBe(401);
    expect((await refresh(second.refreshToken)).status).toBe(400);
  });

  it('revokes the session on logout', async () => {
    const session = await newSession(stack());
    const out = await requestApp(stack())
      .post('/auth/logout')
      .set({ ...bearer(session.accessToken), origin: SPA });
    expect(out.status).toBe(204);
    expect((await requestApp(stack()).get('/me').set(bearer(session.accessToken))).status).toBe(401);
  });
});

describe('app callbacks with a short exchange-code TTL', () => {
  const EXCHANGE_CODE_TTL = 1;
  const shortLived = useStack(appStack({ exchangeCodeTtlSeconds: EXCHANGE_CODE_TTL }));

  it('expires unused codes', async () => {
    const { verifier, challenge } = pkcePair();
    const code = (
      await appLogin(shortLived(), { redirectUrl: APP, codeChallenge: challenge })
    ).searchParams.get('code') as string;
    // Past the TTL under test (the code was stored before the callback answered); Redis expires the key itself.
    await new Promise((r) => setTimeout(r, EXCHANGE_CODE_TTL * 1000 + 200));
    expect((await exchange(shortLived(), { code, codeVerifier: verifier })).status).toBe(400);
  });
});
