import { describe, expect, it } from '@jest/globals';
import { Browser } from '../helpers/browser.js';
import { useRedis, useStack } from '../helpers/lifecycle.js';
import { requestApp } from '../helpers/request-app.js';
import { authorize, sendCallback, signIn } from '../helpers/stack.js';

const redis = useRedis();
const stack = useStack(() => ({ redisUrl: redis().url }));
const json = { accept: 'application/json' };

describe('logout CSRF', () => {
  it('refuses a cross-site logout (foreign Origin) and keeps the session', async () => {
    const browser = new Browser();
    await signIn(stack(), browser);
    const forged = await browser.request(stack().url('/auth/logout'), {
      method: 'POST',
      headers: { origin: 'https://evil.example' },
    });
    expect(forged.status).toBe(403);
    expect(await forged.json()).toMatchObject({ error: 'invalid_request' });
    const fetchMetadata = await browser.request(stack().url('/auth/acme/logout'), {
      method: 'POST',
      headers: { 'sec-fetch-site': 'cross-site' },
    });
    expect(fetchMetadata.status).toBe(403);
    expect((await browser.request(stack().url('/me'), { headers: json })).status).toBe(200);
    const own = await browser.request(stack().url('/auth/logout'), {
      method: 'POST',
      headers: { origin: stack().origin },
    });
    expect(own.status).toBe(204);
    expect((await browser.request(stack().url('/me'), { headers: json })).status).toBe(401);
  });

  it('does not log out on GET (an image tag cannot end a session)', async () => {
    const browser = new Browser();
    await signIn(stack(), browser);
    expect((await browser.request(stack().url('/auth/logout'))).status).toBe(405);
    // A page load of the URL only shows a confirmation form; neither ends the session.
    const page = await browser.request(stack().url('/auth/acme/logout'), {
      headers: { 'sec-fetch-mode': 'navigate', accept: 'text/html' },
    });
    expect(page.status).toBe(200);
    expect((await browser.request(stack().url('/me'), { headers: json })).status).toBe(200);
  });
});

describe('token leakage via Referer, caching and sniffing', () => {
  it('sends no Referer from the callback page and forbids caching of auth responses', async () => {
    const browser = new Browser();
    const login = await browser.request(stack().url('/auth/acme/login'));
    const callback = await sendCallback(browser, await authorize(stack(), browser));
    for (const res of [login, callback]) {
      expect(res.headers.get('referrer-policy')).toBe('no-referrer');
      expect(res.headers.get('cache-control')).toBe('no-store');
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    }
  });
});

describe('oversized input', () => {
  it('answers an oversized state with invalid_state, never 500', async () => {
    const res = await requestApp(stack()).get(`/auth/acme/callback?state=${'a'.repeat(8_000)}&code=x`);
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ error: 'invalid_state' });
  });
});

describe('cookie tossing', () => {
  it('ignores a binding cookie without the __Host- prefix (as a sibling subdomain could set) in secure mode', async () => {
    const secure = await (await import('../helpers/stack.js')).startStack({
      redisUrl: redis().url,
      https: true,
      router: { keyPrefix: 'toss:' },
    });
    try {
      const host = new URL(secure.origin).host;
      // The attacker starts a login and learns their own binding id ...
      const attacker = new Browser();
      const response = await authorize(secure, attacker);
      const attackerBinding = attacker.cookie(host, '__Host-oauth.flow') as string;
      // ... and tosses it into the victim's browser from evil.example.com, where only a plain name is possible.
      const victim = new Browser();
      victim.setCookie(host, 'oauth.flow', attackerBinding);
      const res = await sendCallback(victim, response);
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({ error: 'invalid_state' });
    } finally {
      await secure.close();
    }
  });
});
