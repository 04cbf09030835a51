import { describe, expect, it } from '@jest/globals';
import { resolveConfig } from '../../src/config/resolve.js';
import { checkAppRedirect } from '../../src/flow/app-redirect.js';
import { ConfigError, type OAuthRouterOptions } from '../../src/index.js';
import { appLogin, pkcePair } from '../helpers/app-session.js';
import { useRedis, useStack } from '../helpers/lifecycle.js';
import { requestApp } from '../helpers/request-app.js';

// Redirect URI manipulation (RFC 9700 §4.1): the exchange code goes to whatever redirectUrl the login link names,
// and the link is built by whoever sends it. An attacker who can make the code land on any page of an allowed
// origin that leaks its URL (third-party scripts, an open redirect, Referer) builds a link with their own PKCE
// challenge, sends it to the victim, and redeems the victim's code. Only exact matching closes that.
const APP = 'myapp://auth/callback';
const SPA = 'https://spa.example.com';
const SPA_CALLBACK = `${SPA}/auth/callback`;
const redis = useRedis();
const stack = useStack(() => ({
  redisUrl: redis().url,
  router: { appCallbacks: { allowedRedirects: [APP, SPA_CALLBACK] } },
}));

const flowKeys = async () => (await redis().client().keys('oar:flow:*')).length;

async function loginStatus(query: string): Promise<{ status: number; body: unknown; stored: number }> {
  const before = await flowKeys();
  const res = await requestApp(stack()).get(`/auth/acme/login?${query}`);
  expect((res.headers.location ?? null) === null).toBe(res.status !== 302);
  const body = res.status === 302 ? undefined : res.body;
  return { status: res.status, body, stored: (await flowKeys()) - before };
}

const challenge = () => `codeChallenge=${pkcePair().challenge}`;

describe('app redirect URL: exact matching', () => {
  it('delivers the code to the listed SPA callback', async () => {
    const back = await appLogin(stack(), { redirectUrl: SPA_CALLBACK, codeChallenge: pkcePair().challenge });
    expect(`${back.origin}${back.pathname}`).toBe(SPA_CALLBACK);
    expect(back.searchParams.get('code')).toMatch(/^[\w-]{43}$/);
  });

  it.each([
    `${SPA}/leaky-page`,
    `${SPA}/`,
    SPA,
    `${SPA_CALLBACK}/`,
    `${SPA_CALLBACK}?next=/x`,
    `${SPA_CALLBACK}x`,
    `${SPA}/auth/callback/../leaky-page`,
    `${SPA}/auth/./callback`,
    `${SPA}/auth/%63allback`,
    'https://SPA.example.com/auth/callback',
    'https://spa.example.com:443/auth/callback',
    'https://spa.example.com./auth/callback',
    'myapp://auth/callback/',
    'myapp://auth/callback?x=1',
  ])(
    'refuses %s (same origin or same URL once normalised, not the same string) before contacting the provider',
    async (redirectUrl) => {
      const result = await loginStatus(`redirectUrl=${encodeURIComponent(redirectUrl)}&${challenge()}`);
      expect(result).toEqual({
        status: 400,
        body: expect.objectContaining({ error: 'invalid_request' }),
        stored: 0,
      });
    },
  );

  it.each([
    ['repeated', `redirectUrl=${encodeURIComponent(APP)}&redirectUrl=${encodeURIComponent(APP)}`],
    [
      'repeated with an unlisted second value',
      `redirectUrl=${encodeURIComponent(APP)}&redirectUrl=evil%3A%2F%2Fx`,
    ],
    ['unparsable', 'redirectUrl=%E0%A4%A'],
    ['not a URL', 'redirectUrl=not%20a%20url'],
    ['empty', 'redirectUrl='],
    ['bracketed', `redirectUrl[]=${encodeURIComponent(APP)}`],
    ['oversized', `redirectUrl=${encodeURIComponent(`${APP}?${'a'.repeat(5000)}`)}`],
  ])('refuses a %s redirectUrl with 400', async (_why, query) => {
    const result = await loginStatus(`${query}&${challenge()}`);
    expect(result).toEqual({
      status: 400,
      body: expect.objectContaining({ error: 'invalid_request' }),
      stored: 0,
    });
  });
});

describe('appCallbacks.allowedRedirects at startup', () => {
  const options = (appCallbacks: OAuthRouterOptions['appCallbacks']): OAuthRouterOptions => ({
    baseUrl: 'https://app.example.com',
    redis: 'redis://127.0.0.1:1',
    session: { secret: 'x'.repeat(40) },
    providers: { acme: { issuer: 'https://id.acme.example', clientId: 'id', clientSecret: 'secret' } },
    logger: { warn: () => {}, error: () => {} },
    appCallbacks,
  });
  const problemsOf = (appCallbacks: OAuthRouterOptions['appCallbacks']): string[] => {
    try {
      resolveConfig(options(appCallbacks), {});
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      return [...(err as ConfigError).problems];
    }
    return [];
  };

  it('refuses a bare origin (it used to allow every page of the origin), naming the fix', () => {
    const problems = problemsOf({ allowedRedirects: [APP, SPA] });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^appCallbacks\.allowedRedirects\[1\]/);
    expect(problems[0]).toContain('exact callback URL');
    expect(problems[0]).toContain('appCallbacks.corsOrigins');
  });

  it.each([
    'blob:https://spa.example.com/0b5e8f2a',
    'javascript:alert(1)//',
    'data:text/html,x',
    'file:///tmp/cb',
    'myapp://auth/call\\back',
    'myapp://auth/callback\n',
  ])('refuses the unsafe entry %j', (entry) => {
    const problems = problemsOf({ allowedRedirects: [entry] });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^appCallbacks\.allowedRedirects\[0\]/);
  });

  it('answers CORS for the exact URLs’ origins and the listed corsOrigins only', () => {
    const config = resolveConfig(
      options({ allowedRedirects: [APP, SPA_CALLBACK], corsOrigins: ['https://admin.example.com'] }),
      {},
    );
    expect([...(config.appCallbacks?.corsOrigins ?? [])].sort()).toEqual(['https://admin.example.com', SPA]);
    expect(problemsOf({ allowedRedirects: [APP], corsOrigins: ['https://admin.example.com/x'] })).toEqual([
      expect.stringMatching(/^appCallbacks\.corsOrigins\[0\]/),
    ]);
    expect(problemsOf({ allowedRedirects: [APP], corsOrigins: ['http://admin.example.com'] })).toEqual([
      expect.stringMatching(/^appCallbacks\.corsOrigins\[0\]/),
    ]);
  });
});

describe('checkAppRedirect', () => {
  const refused = (value: unknown, allowlist: string[]) => () => checkAppRedirect(value, allowlist);

  it('returns a listed URL unchanged', () => {
    expect(checkAppRedirect(APP, [APP])).toBe(APP);
    expect(checkAppRedirect(SPA_CALLBACK, [APP, SPA_CALLBACK])).toBe(SPA_CALLBACK);
  });

  it('never treats an entry as an origin: other paths of it do not match', () => {
    expect(refused(`${SPA}/leaky-page`, [SPA])).toThrow('redirectUrl is not an allowed app callback');
    expect(refused(`${SPA}/`, [SPA])).toThrow();
  });

  // The tests below pass the refused value itself in the allowlist: the checks must hold even when a bad entry
  // slipped into the list (configuration built at run time), so they fail if a check is removed.
  it('refuses blob: URLs, even when their inner origin or the URL itself is listed', () => {
    const blob = 'blob:https://spa.example.com/0b5e8f2a-4a3c-4c1e-9b1e-2f7f3e6e2d10';
    expect(new URL(blob).origin).toBe(SPA);
    expect(refused(blob, [SPA, `${SPA}/`, blob])).toThrow();
    expect(refused('BLOB:https://spa.example.com/x', ['BLOB:https://spa.example.com/x'])).toThrow();
  });

  it.each(['javascript:alert(1)//', 'data:text/html,x', 'file:///tmp/cb', 'vbscript:x', 'about:blank'])(
    'refuses the script or local scheme %s even when listed',
    (value) => {
      expect(refused(value, [value])).toThrow();
    },
  );

  it.each([
    ['tab', '\t'],
    ['newline', '\n'],
    ['carriage return', '\r'],
    ['NUL', '\0'],
    ['DEL', '\x7f'],
    ['space', ' '],
    ['C1 control', '\x85'],
  ])('refuses a %s even when the same string is listed', (_name, char) => {
    for (const value of [`myapp://auth/call${char}back`, `${SPA_CALLBACK}${char}`, `${char}${APP}`]) {
      expect(refused(value, [value])).toThrow();
    }
  });

  it('refuses backslashes even when the same string is listed', () => {
    for (const value of [`${SPA}\\@evil.example/cb`, 'myapp://auth\\callback', `${SPA}/auth\\callback`]) {
      expect(refused(value, [value])).toThrow();
    }
  });

  it('refuses non-strings, credentials, fragments and oversized values', () => {
    for (const value of [undefined, null, 42, [APP], { href: APP }]) expect(refused(value, [APP])).toThrow();
    for (const value of ['https://u:p@spa.example.com/cb', `${SPA_CALLBACK}#x`, `${APP}?${'a'.repeat(3000)}`])
      expect(refused(value, [value])).toThrow();
  });
});
