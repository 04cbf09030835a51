import { describe, expect, it } from '@jest/globals';
import * as client from 'openid-client';
import request from 'supertest';
import { pkceChallenge } from '../../src/client/authorization-url.js';
import { Browser } from '../helpers/browser.js';
import { useRedis, useStack } from '../helpers/lifecycle.js';
import { requestApp } from '../helpers/request-app.js';
import { authorize, sendCallback } from '../helpers/stack.js';

const redis = useRedis();
const stack = useStack(() => ({ redisUrl: redis().url }));

describe('PKCE', () => {
  it('sends the S256 challenge openid-client computes for the stored verifier (RFC 7636 §4.2)', async () => {
    for (const verifier of [
      client.randomPKCECodeVerifier(),
      client.randomPKCECodeVerifier(),
      'a'.repeat(43),
    ]) {
      expect(pkceChallenge(verifier)).toBe(await client.calculatePKCECodeChallenge(verifier));
    }
    // RFC 7636 Appendix B's worked example.
    expect(pkceChallenge('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk')).toBe(
      'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
    );
  });

  it('the test provider itself refuses an authorization request without a code challenge', async () => {
    const login = await requestApp(stack()).get('/auth/acme/login');
    const url = new URL(login.headers.location as string);
    url.searchParams.delete('code_challenge');
    url.searchParams.delete('code_challenge_method');
    const res = await request(url.origin).get(`${url.pathname}${url.search}`);
    // oidc-provider redirects the error back to the client: PKCE is required on this OP, as on real ones.
    const location = new URL(res.headers.location as string);
    expect(location.searchParams.get('error')).toBe('invalid_request');
  });

  it('rejects an injected authorization code (a code minted for another login) with provider_error', async () => {
    // The attacker completes a login of their own and keeps the code ...
    const attacker = new Browser();
    const stolen = await authorize(stack(), attacker, { email: 'mallory@example.test' });
    // ... and injects it into the victim's callback, alongside the victim's valid state and binding.
    const victim = new Browser();
    const own = await authorize(stack(), victim, { email: 'victim@example.test' });
    own.url.searchParams.set('code', stolen.url.searchParams.get('code') as string);
    const res = await sendCallback(victim, own);
    // The victim's PKCE verifier does not match the challenge the stolen code was issued for.
    expect(res.status).toBe(502);
    expect(await res.json()).toMatchObject({ error: 'provider_error' });
    const me = await victim.request(stack().url('/me'), { headers: { accept: 'application/json' } });
    expect(me.status).toBe(401);
  });

  it('rejects a replayed authorization code', async () => {
    const browser = new Browser();
    const first = await authorize(stack(), browser);
    expect((await sendCallback(browser, first)).status).toBe(200);
    // A new login with a fresh state, carrying the already-redeemed code.
    const second = await authorize(stack(), browser);
    second.url.searchParams.set('code', first.url.searchParams.get('code') as string);
    const res = await sendCallback(browser, second);
    expect(res.status).toBe(502);
    expect(await res.json()).toMatchObject({ error: 'provider_error' });
  });
});
