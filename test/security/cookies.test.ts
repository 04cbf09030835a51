import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Browser } from '../helpers/browser.js';
import { useRedis } from '../helpers/lifecycle.js';
import { requestApp } from '../helpers/request-app.js';
import {
  authorize,
  CLIENT_SECRET,
  type Stack,
  sendCallback,
  signIn,
  startStack,
  TEST_SECRET,
} from '../helpers/stack.js';

const redis = useRedis();

/** Parses one Set-Cookie line into its name and lower-cased attributes. */
function parseSetCookie(line: string): { name: string; value: string; attrs: Map<string, string> } {
  const [pair = '', ...rest] = line.split(';').map((s) => s.trim());
  const attrs = new Map(
    rest.map((a) => {
      const i = a.indexOf('=');
      return i < 0 ? [a.toLowerCase(), ''] : [a.slice(0, i).toLowerCase(), a.slice(i + 1)];
    }),
  );
  return { name: pair.slice(0, pair.indexOf('=')), value: pair.slice(pair.indexOf('=') + 1), attrs };
}

describe('cookie flags with the production defaults (Secure on)', () => {
  let stack: Stack;
  beforeAll(async () => {
    // An https baseUrl behind a TLS-terminating proxy that the app trusts (loopback): secure follows baseUrl.
    stack = await startStack({ redisUrl: redis().url, https: true });
  });
  afterAll(async () => {
    await stack.close();
  });

  it('sets an HttpOnly, Secure, SameSite=Lax, 30-day signed session cookie on sign-in', async () => {
    const browser = new Browser();
    const login = await browser.request(stack.url('/auth/acme/login'));
    const binding = parseSetCookie(login.headers.getSetCookie()[0] as string);
    expect(binding.name).toBe('__Host-oauth.flow');
    expect(binding.attrs.has('httponly')).toBe(true);
    expect(binding.attrs.has('secure')).toBe(true);
    expect(binding.attrs.get('path')).toBe('/');
    expect(binding.attrs.has('domain')).toBe(false);
    expect(binding.attrs.get('samesite')).toBe('Lax');

    const response = await authorize(stack, browser);
    const res = await sendCallback(browser, response);
    expect(res.status).toBe(200);
    const session = res.headers
      .getSetCookie()
      .map(parseSetCookie)
      .find((c) => c.name === '__Host-oauth.sid');
    expect(session).toBeDefined();
    expect(session?.attrs.has('httponly')).toBe(true);
    expect(session?.attrs.has('secure')).toBe(true);
    expect(session?.attrs.get('samesite')).toBe('Lax');
    expect(session?.attrs.get('path')).toBe('/');
    const expires = Date.parse(session?.attrs.get('expires') as string);
    expect(Math.abs(expires - (Date.now() + 30 * 24 * 3600 * 1000))).toBeLessThan(60_000);
    // Signed: "s:<id>.<hmac>"; a forged id with a bad signature is not a session.
    expect(decodeURIComponent(session?.value as string)).toMatch(/^s:[^.]+\.[A-Za-z0-9+/=_-]+$/);
    const forged = await new Browser().request(stack.url('/me'), {
      headers: {
        accept: 'application/json',
        cookie: `__Host-oauth.sid=${encodeURIComponent('s:forged.AAAA')}`,
      },
    });
    expect(forged.status).toBe(401);
  });

  it('warns once, naming both causes, when a Secure session cookie is being set over plain http', async () => {
    // The request reaches the app as plain http: an untrusted proxy, or an app really served over http.
    const plain = { headers: { 'x-forwarded-proto': 'http' } };
    for (let i = 0; i < 2; i++) {
      const browser = new Browser();
      const res = await sendCallback(browser, await authorize(stack, browser), plain);
      expect(res.headers.getSetCookie().some((c) => c.includes('oauth.sid'))).toBe(false);
    }
    const warnings = stack.logs.filter((l) => l.message.includes('trust proxy'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]?.message).toMatch(/set baseUrl to the URL users open/);
  });
});

describe('a custom session cookie name keeps the __Host- prefix', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({
      redisUrl: redis().url,
      https: true,
      router: { session: { secret: TEST_SECRET, cookieName: 'myapp.sid' } },
    });
  });
  afterAll(async () => {
    await stack.close();
  });

  it('sets __Host-myapp.sid and ignores a plain myapp.sid tossed from a sibling subdomain', async () => {
    const browser = new Browser();
    const res = await sendCallback(browser, await authorize(stack, browser));
    const names = res.headers.getSetCookie().map((line) => parseSetCookie(line).name);
    expect(names).toContain('__Host-myapp.sid');
    expect(names).not.toContain('myapp.sid');
    const sid = browser.cookie(new URL(stack.origin).host, '__Host-myapp.sid') as string;
    // A sibling subdomain can set a cookie without the prefix for the parent domain; it must not be read.
    const tossed = await new Browser().request(stack.url('/me'), {
      headers: { accept: 'application/json', cookie: `myapp.sid=${sid}` },
    });
    expect(tossed.status).toBe(401);
    const real = await new Browser().request(stack.url('/me'), {
      headers: { accept: 'application/json', cookie: `__Host-myapp.sid=${sid}` },
    });
    expect(real.status).toBe(200);
  });
});

describe('session fixation', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ redisUrl: redis().url });
  });
  afterAll(async () => {
    await stack.close();
  });

  it('issues a new session id on sign-in and invalidates the one the browser presented', async () => {
    const host = () => new URL(stack.origin).host;
    // The attacker gets a valid (anonymous) session id from the app ...
    const attacker = new Browser();
    expect((await attacker.request(stack.url('/visit'))).status).toBe(200);
    const planted = attacker.cookie(host(), 'oauth.sid') as string;
    expect(planted).toBeDefined();
    // ... plants it in the victim's browser, and the victim signs in.
    const victim = new Browser();
    victim.setCookie(host(), 'oauth.sid', planted);
    const res = await signIn(stack, victim, { email: 'victim@example.test' });
    expect(res.status).toBe(200);
    const issued = victim.cookie(host(), 'oauth.sid') as string;
    expect(issued).not.toBe(planted);
    // The planted id is no longer a session at all: the attacker does not ride on the victim's sign-in.
    const attackerView = await requestApp(stack)
      .get('/me')
      .set({ cookie: `oauth.sid=${planted}`, accept: 'application/json' });
    expect(attackerView.status).toBe(401);
    const victimView = await victim.request(stack.url('/me'), { headers: { accept: 'application/json' } });
    expect(((await victimView.json()) as { user: { email: string } }).user.email).toBe('victim@example.test');
  });
});

describe('form_post callbacks', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({
      redisUrl: redis().url,
      providers: (issuer) => ({
        acme: { issuer, clientId: 'acme-app', clientSecret: CLIENT_SECRET, responseMode: 'form_post' },
      }),
      https: true,
    });
  });
  afterAll(async () => {
    await stack.close();
  });

  it('binds the login with a SameSite=None cookie, since a cross-site POST carries no Lax cookie', async () => {
    const login = await new Browser().request(stack.url('/auth/acme/login'));
    const binding = parseSetCookie(login.headers.getSetCookie()[0] as string);
    expect(binding.name).toBe('__Host-oauth.flow');
    expect(binding.attrs.get('samesite')).toBe('None');
    expect(binding.attrs.has('secure')).toBe(true);
    const url = new URL(login.headers.get('location') as string);
    expect(url.searchParams.get('response_mode')).toBe('form_post');
  });

  it('completes the sign-in through a POSTed callback and refuses it from another browser', async () => {
    const browser = new Browser();
    const response = await authorize(stack, browser);
    expect(response.form?.get('code')).toBeTruthy();
    const stolen = await sendCallback(new Browser(), response);
    expect(stolen.status).toBe(400);

    const again = new Browser();
    const fresh = await authorize(stack, again);
    const res = await sendCallback(again, fresh);
    expect(res.status).toBe(200);
  });
});
