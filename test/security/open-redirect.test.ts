import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { checkReturnTo } from '../../src/flow/return-to.js';
import { Browser } from '../helpers/browser.js';
import { requestApp } from '../helpers/request-app.js';
import { type Stack, signIn, startStack } from '../helpers/stack.js';

const ATTACKS = [
  'https://evil.example/steal',
  'http://evil.example',
  '//evil.example',
  '///evil.example',
  '/\\evil.example',
  '\\\\evil.example',
  '/\t/evil.example',
  '/\n/evil.example',
  ' //evil.example',
  'javascript:alert(1)',
  'JaVaScRiPt:alert(1)',
  'data:text/html,<script>alert(1)</script>',
  'https://app.example@evil.example/',
  'https://evil.example\\@127.0.0.1/',
  `https://127.0.0.1.evil.example/`,
  `/${'a'.repeat(3000)}`,
  // Paths the URL parser normalises into "//host" (a protocol-relative redirect once sent as Location).
  '/.//evil.example',
  '/%2e//evil.example',
  '/a/..//evil.example',
  'https://user:pass@admin.example.com/',
  'blob:https://admin.example.com/0b1e6f4e-1111-4222-8333-944445555666',
];

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ router: { allowedReturnToOrigins: ['https://admin.example.com'] } });
});
afterAll(async () => {
  await stack.close();
});

describe('open redirect via returnTo', () => {
  it.each(ATTACKS)('refuses %j at the login route before contacting the provider', async (returnTo) => {
    const res = await requestApp(stack).get(`/auth/acme/login?${new URLSearchParams({ returnTo })}`);
    expect(res.status).toBe(400);
    expect(res.headers.location ?? null).toBeNull();
    expect(res.body).toMatchObject({ error: 'invalid_request' });
  });

  it('refuses a returnTo given twice (parameter pollution)', async () => {
    const res = await requestApp(stack).get('/auth/acme/login?returnTo=/a&returnTo=//evil.example');
    expect(res.status).toBe(400);
  });

  it('accepts same-origin paths and configured origins, and redirects there after sign-in', async () => {
    const admin = await signIn(stack, new Browser(), { returnTo: 'https://admin.example.com/users?x=1' });
    expect(admin.headers.get('location')).toBe('https://admin.example.com/users?x=1');
    const encoded = await signIn(stack, new Browser(), { returnTo: '/%2F%2Fevil.example' });
    // Percent-encoded slashes stay a path on this origin; the browser does not decode them into "//".
    expect(encoded.headers.get('location')).toBe('/%2F%2Fevil.example');
  });

  it('refuses, as a unit, every trick on an allowed origin or the app origin itself', () => {
    const base = new URL('https://app.example.com');
    const allowed = new Set(['https://admin.example.com']);
    const refused = [
      '/.//evil.example',
      '/%2e//evil.example',
      '/%2E%2E//evil.example',
      '/a/..//evil.example',
      'https://user@admin.example.com/',
      'https://:pass@app.example.com/',
      'blob:https://app.example.com/0b1e6f4e-1111-4222-8333-944445555666',
      'blob:https://admin.example.com/x',
      '/a\\b',
      '/ok\u0000',
      '/ok\u001f',
      '/ok\u007f',
      '/ok path',
    ];
    for (const value of refused)
      expect(() => checkReturnTo(value, base, allowed)).toThrow(
        expect.objectContaining({ code: 'invalid_request' }),
      );
    expect(checkReturnTo('https://admin.example.com/x', base, allowed)).toBe('https://admin.example.com/x');
    expect(checkReturnTo('https://app.example.com/y', base, allowed)).toBe('https://app.example.com/y');
  });

  it('normalises paths through the URL parser (no smuggled origin)', () => {
    const base = new URL('https://app.example.com');
    expect(checkReturnTo('/a/../b?c=d#e', base, new Set())).toBe('/b?c=d#e');
    expect(checkReturnTo(undefined, base, new Set())).toBeUndefined();
    expect(() => checkReturnTo('/ok', base, new Set()) && checkReturnTo(['/a'], base, new Set())).toThrow();
  });
});
