import { describe, expect, it } from '@jest/globals';
import { Browser } from '../helpers/browser.js';
import { useStack } from '../helpers/lifecycle.js';
import { requestApp } from '../helpers/request-app.js';
import { authorize, sendCallback } from '../helpers/stack.js';

// Where a person's browser ends up: never on a JSON page. Scripts that ask for JSON keep getting JSON.
const NAVIGATE = { 'sec-fetch-mode': 'navigate', accept: 'text/html,application/xhtml+xml' };

describe('without successRedirect', () => {
  const stack = useStack(() => ({ prefix: '/app' }));

  it("lands a browser navigation on the app's root", async () => {
    const browser = new Browser();
    const res = await sendCallback(browser, await authorize(stack(), browser), { headers: NAVIGATE });
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe('/app');
  });

  it('lands it on returnTo when the login had one', async () => {
    const browser = new Browser();
    const response = await authorize(stack(), browser, { returnTo: '/app/settings' });
    const res = await sendCallback(browser, response, { headers: NAVIGATE });
    expect(res.headers.get('location')).toBe('/app/settings');
  });

  it('answers JSON { user } to a client that asks for JSON', async () => {
    const browser = new Browser();
    const res = await sendCallback(browser, await authorize(stack(), browser), {
      headers: { accept: 'application/json' },
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ user: { email: 'ada@example.test' } });
  });
});

describe('failureRedirect', () => {
  const stack = useStack(() => ({ router: { failureRedirect: '/oops' } }));

  it('covers a browser navigation to an unknown provider', async () => {
    const res = await requestApp(stack()).get('/auth/nope/login').set(NAVIGATE);
    expect(res.status).toBe(302);
    expect(res.headers.location).toBe('/oops?error=unknown_provider');
  });

  it('leaves API clients the 404 JSON', async () => {
    const res = await requestApp(stack()).get('/auth/nope/login').set('accept', 'application/json');
    expect(res.status).toBe(404);
    expect(res.body).toMatchObject({ error: 'unknown_provider' });
  });
});
