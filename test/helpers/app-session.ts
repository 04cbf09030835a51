import { randomBytes } from 'node:crypto';
import { expect } from '@jest/globals';
import type { Response } from 'supertest';
import { pkceChallenge } from '../../src/client/authorization-url.js';
import { Browser } from './browser.js';
import { requestApp } from './request-app.js';
import type { Stack } from './stack.js';

/** A PKCE pair as an app keeps it: a random verifier and its S256 challenge (RFC 7636 §4.2). */
export function pkcePair(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: pkceChallenge(verifier) };
}

/** What `POST /auth/session` and `/auth/session/refresh` answer with on success. */
export interface SessionTokens {
  accessToken: string;
  refreshToken: string;
  expiresIn: number;
  tokenType: string;
  user: { email: string };
}

const JSON_HEADERS = { 'content-type': 'application/json', accept: 'application/json' };

/**
 * Runs an app login in a fresh browser (login route, the provider's login form, the provider's redirect back)
 * and returns where the router's callback finally sent the browser: the app callback with `code` or `error`.
 */
export async function appLogin(
  s: Stack,
  query: Record<string, string>,
  options: { deny?: boolean; email?: string } = {},
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
    email: options.email ?? 'app@example.test',
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

/** `POST /auth/session` with a JSON body. Sent at once (as fetch would), so concurrent calls race for real. */
export async function exchange(s: Stack, body: Record<string, unknown>): Promise<Response> {
  return requestApp(s).post('/auth/session').set(JSON_HEADERS).send(JSON.stringify(body));
}

/** `POST /auth/session/refresh` with a JSON body. Sent at once (as fetch would), so concurrent calls race for real. */
export async function refresh(s: Stack, refreshToken: string): Promise<Response> {
  return requestApp(s).post('/auth/session/refresh').set(JSON_HEADERS).send(JSON.stringify({ refreshToken }));
}

/** A complete app sign-in with PKCE: login at `redirectUrl`, then the exchange. */
export async function newAppSession(s: Stack, redirectUrl: string): Promise<SessionTokens> {
  const { verifier, challenge } = pkcePair();
  const back = await appLogin(s, { redirectUrl, codeChallenge: challenge });
  const res = await exchange(s, { code: back.searchParams.get('code'), codeVerifier: verifier });
  expect(res.status).toBe(200);
  return res.body as SessionTokens;
}

/** Status of `GET /me` (behind requireAuth) with a bearer access token. */
export async function meStatus(s: Stack, accessToken: string): Promise<number> {
  const res = await requestApp(s)
    .get('/me')
    .set({ authorization: `Bearer ${accessToken}`, accept: 'application/json' });
  return res.status;
}
