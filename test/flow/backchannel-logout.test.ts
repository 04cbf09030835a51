import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import { type JWTPayload, SignJWT } from 'jose';
import type { OAuthRouterEventMap } from '../../src/index.js';
import { meStatus, newAppSession } from '../helpers/app-session.js';
import { Browser } from '../helpers/browser.js';
import { useRedis, useStack } from '../helpers/lifecycle.js';
import { CLIENT_SECRET, type StackOptions, signIn, startStack } from '../helpers/stack.js';

const APP = 'myapp://auth/callback';
const EVENT = 'http://schemas.openid.net/event/backchannel-logout';
const redis = useRedis();
const options = (): StackOptions => ({
  redisUrl: redis().url,
  providers: (issuer) => ({
    acme: { issuer, clientId: 'acme-app', clientSecret: CLIENT_SECRET, backchannelLogout: true },
    other: { issuer, clientId: 'acme-app', clientSecret: CLIENT_SECRET },
  }),
  clients: (baseUrl, mountPath) => [
    {
      client_id: 'acme-app',
      client_secret: CLIENT_SECRET,
      redirect_uris: ['acme', 'other'].map((p) => `${baseUrl}${mountPath}/${p}/callback`),
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      backchannel_logout_uri: `${baseUrl}${mountPath}/acme/backchannel-logout`,
      backchannel_logout_session_required: true,
    },
  ],
  op: { configuration: { features: { backchannelLogout: { enabled: true } } } },
  router: { appCallbacks: { allowedRedirects: [APP] }, rateLimit: { windowSeconds: 60, max: 10_000 } },
});
const stack = useStack(options);
const json = { accept: 'application/json' };

async function signedIn(email: string, browser = new Browser()) {
  const res = await signIn(stack(), browser, { email });
  expect(res.status).toBe(200);
  return { browser, userId: ((await res.json()) as { user: { id: string } }).user.id };
}
const me = async (browser: Browser) => (await browser.request(stack().url('/me'), { headers: json })).status;
const subOf = (email: string) =>
  [...stack().op.accounts.entries()].find(([, claims]) => claims.email === email)?.[0] as string;

/** A logout token signed with the provider's own key: valid unless `claims`/`header` break it. */
function logoutToken(claims: JWTPayload, header: Record<string, unknown> = {}, key = stack().op.signingKey) {
  return new SignJWT({
    events: { [EVENT]: {} },
    jti: randomUUID(),
    iat: Math.floor(Date.now() / 1000),
    ...claims,
  })
    .setProtectedHeader({ alg: 'RS256', kid: 'dev-1', typ: 'logout+jwt', ...header })
    .setIssuer(stack().op.issuer)
    .setAudience('acme-app')
    .sign(key);
}
async function post(token: string | undefined, provider = 'acme') {
  return fetch(stack().url(`/auth/${provider}/backchannel-logout`), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(token === undefined ? {} : { logout_token: token }),
  });
}

/** Logs the browser out at the provider (RP-initiated logout's confirmation page): it then notifies us. */
async function logoutAtProvider(browser: Browser) {
  const page = await browser.request(`${stack().op.issuer}/session/end`);
  const html = await page.text();
  const xsrf = /name="xsrf" value="([^"]+)"/.exec(html)?.[1];
  const action = /<form[^>]*action="([^"]+)"/.exec(html)?.[1];
  expect(xsrf).toBeDefined();
  const done = await browser.request(new URL(action as string, stack().op.issuer), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ xsrf: xsrf as string, logout: 'yes' }),
  });
  await done.arrayBuffer();
}

describe('OpenID Connect Back-Channel Logout', () => {
  it('a logout at the provider ends our session from that provider session, on every instance, and no other', async () => {
    const email = `bcl-${randomUUID()}@example.test`;
    const first = await signedIn(email);
    const second = await signedIn(email); // the same person in another browser: another provider session
    const other = await startStack({ ...options(), sharedOp: stack().op });
    const seen: OAuthRouterEventMap['backchannelLogout'][] = [];
    stack().router.events.on('backchannelLogout', (e) => seen.push(e));
    try {
      const cookie = `oauth.sid=${first.browser.cookie(new URL(stack().origin).host, 'oauth.sid') as string}`;
      const onOther = () => fetch(other.url('/me'), { headers: { ...json, cookie } }).then((r) => r.status);
      expect(await onOther()).toBe(200);
      await logoutAtProvider(first.browser);
      expect(seen).toEqual([{ provider: 'acme', sessions: 1 }]);
      expect(await me(first.browser)).toBe(401);
      expect(await onOther()).toBe(401);
      expect(await me(second.browser)).toBe(200);
    } finally {
      await other.close();
    }
  });

  it('with sub alone, ends every session of that provider user from this provider, app sessions too', async () => {
    const email = 'app@example.test';
    const app = await newAppSession(stack(), APP);
    const browser = (await signedIn(email)).browser;
    const res = await post(await logoutToken({ sub: subOf(email) }));
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(await me(browser)).toBe(401);
    expect(await meStatus(stack(), app.accessToken)).toBe(401);
  });

  it('refuses forged, replayed, misaddressed, stale, typed-wrong and nonce-carrying tokens, ending nothing', async () => {
    const email = `target-${randomUUID()}@example.test`;
    const { browser } = await signedIn(email);
    const sub = subOf(email);
    const attacker = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
    const replayed = await logoutToken({ sub: 'someone-else' });
    expect((await post(replayed)).status).toBe(200);
    const now = Math.floor(Date.now() / 1000);
    const bad: [string, string | undefined][] = [
      ['forged', await logoutToken({ sub }, {}, attacker)],
      ['replayed', replayed],
      [
        'wrong audience',
        await new SignJWT({ events: { [EVENT]: {} }, jti: randomUUID(), sub })
          .setProtectedHeader({ alg: 'RS256', kid: 'dev-1' })
          .setIssuer(stack().op.issuer)
          .setAudience('another-app')
          .setIssuedAt()
          .sign(stack().op.signingKey),
      ],
      ['expired', await logoutToken({ sub, exp: now - 120 })],
      ['issued long ago', await logoutToken({ sub, iat: now - 3600 })],
      ['issued in the future', await logoutToken({ sub, iat: now + 3600 })],
      ['with a nonce', await logoutToken({ sub, nonce: 'n' })],
      ['typed as another JWT', await logoutToken({ sub }, { typ: 'JWT' })],
      ['without the event', await logoutToken({ sub, events: { 'http://example.com/other': {} } })],
      ['without sub or sid', await logoutToken({})],
      ['without jti', await logoutToken({ sub, jti: undefined })],
      [
        'unsigned',
        `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from(JSON.stringify({ iss: stack().op.issuer, aud: 'acme-app', sub, iat: now, jti: 'x', events: { [EVENT]: {} } })).toString('base64url')}.`,
      ],
      ['not a JWT', 'garbage'],
      ['missing', undefined],
    ];
    for (const [why, token] of bad) {
      const res = await post(token);
      expect([why, res.status]).toEqual([why, 400]);
      expect(await res.json()).toMatchObject({ error: 'invalid_request' });
    }
    expect(await me(browser)).toBe(200);
    // A provider that did not opt in has no back-channel route.
    expect((await post(await logoutToken({ sub }), 'other')).status).toBe(404);
    expect((await post(await logoutToken({ sub }))).status).toBe(200);
    expect(await me(browser)).toBe(401);
  });
});
