import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import type { ErrorCode } from '../../src/index.js';
import { send } from '../helpers/browser.js';
import { type Stack, startStack } from '../helpers/stack.js';

const KNOWN: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  'access_denied',
  'invalid_state',
  'invalid_request',
  'provider_error',
  'unknown_provider',
  'unauthenticated',
  'rate_limited',
]);

let stack: Stack;
const rejections: unknown[] = [];
const onRejection = (reason: unknown) => rejections.push(reason);
beforeAll(async () => {
  process.on('unhandledRejection', onRejection);
  stack = await startStack({ router: { rateLimit: false } });
});
afterAll(async () => {
  process.off('unhandledRejection', onRejection);
  await stack.close();
});

// Hostile strings: unicode, control characters, percent signs, brackets, very long runs.
const text = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom(
    '',
    '%',
    '%zz',
    '../',
    '//evil',
    'javascript:x',
    '[]',
    '__proto__',
    'constructor',
    'a'.repeat(3000),
  ),
);
const query = fc
  .array(
    fc.tuple(
      fc.oneof(
        fc.constantFrom('state', 'code', 'error', 'iss', 'returnTo', 'scope', 'revoke', 'user', 'x[]'),
        text,
      ),
      text,
    ),
    {
      maxLength: 6,
    },
  )
  .map((pairs) => pairs.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&'));
const provider = fc.oneof(
  { arbitrary: fc.constant('acme'), weight: 8 },
  { arbitrary: fc.constantFrom('nope', 'ACME', '%2e%2e', 'a'.repeat(70)), weight: 1 },
  { arbitrary: text.map(encodeURIComponent), weight: 1 },
);
const route = fc.oneof(
  fc.record({ method: fc.constant('GET'), action: fc.constantFrom('login', 'callback') }),
  fc.record({ method: fc.constant('POST'), action: fc.constantFrom('callback', 'logout') }),
);
const body = fc.record({
  type: fc.constantFrom(
    'application/x-www-form-urlencoded',
    'application/json',
    'text/plain',
    'multipart/form-data; boundary=x',
  ),
  content: fc.oneof(query, text),
});
const cookie = fc.oneof(
  fc.constant(''),
  fc
    .tuple(fc.constantFrom('oauth.sid', 'oauth.flow', '__Host-oauth.flow', 'x'), text)
    .map(([k, v]) => `${k}=${encodeURIComponent(v)}`),
  text.map((v) => v.replace(/[\r\n]/g, '')),
);

describe('fuzzed input at every auth route', () => {
  it('never answers 5xx from our side or a non-JSON error, and never leaves an unhandled rejection', async () => {
    await fc.assert(
      fc.asyncProperty(
        route,
        provider,
        query,
        body,
        cookie,
        fc.boolean(),
        async (r, p, q, b, c, realState) => {
          let extra = '';
          let bindingCookie = '';
          if (realState && r.action === 'callback') {
            // Start a real login so the callback is fuzzed past the state check, into the code exchange.
            const login = await send(new URL(stack.url('/auth/acme/login')), 'GET', new Headers());
            extra = `&state=${new URL(login.headers.get('location') as string).searchParams.get('state')}`;
            bindingCookie = (login.headers.getSetCookie()[0] ?? '').split(';')[0] as string;
          }
          const url = new URL(
            stack.url(`/auth/${p}/${r.action}?${q}${extra}`).replace(/%(?![0-9a-fA-F]{2})/g, '%25'),
          );
          const headers = new Headers({ accept: 'application/json' });
          const cookies = [bindingCookie, c.replace(/[^\t\x20-\x7e]/g, '')].filter(Boolean).join('; ');
          if (cookies) headers.set('cookie', cookies);
          if (r.method === 'POST') headers.set('content-type', b.type);
          const res = await send(url, r.method, headers, r.method === 'POST' ? b.content : undefined);
          const location = res.headers.get('location');
          if (res.status >= 300 && res.status < 400) {
            expect(location).toBeTruthy();
            return;
          }
          if (res.status < 300) return;
          // 502 is the provider's failure reported by us (e.g. a random code at the token endpoint), never a crash.
          expect(res.status === 502 || res.status < 500).toBe(true);
          if (res.status === 404 && !res.headers.get('content-type')?.includes('json')) return; // Express: no such route
          const payload = (await res.json()) as { error: ErrorCode; message: string };
          expect(KNOWN.has(payload.error)).toBe(true);
          expect(JSON.stringify(payload)).not.toMatch(/\bat .+:\d+:\d+|node_modules/);
        },
      ),
      { numRuns: 300 },
    );
    expect(rejections).toEqual([]);
  }, 60_000);
});
