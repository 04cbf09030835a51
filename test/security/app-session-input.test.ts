import { gzipSync } from 'node:zlib';
import { describe, expect, it } from '@jest/globals';
import { appLogin, exchange, pkcePair } from '../helpers/app-session.js';
import { useRedis, useStack } from '../helpers/lifecycle.js';
import { requestApp } from '../helpers/request-app.js';

// Malformed input on the session routes, which apps (and anyone) can call directly: each must be a typed 400,
// never a 500, never a stack, and never a store write.
const APP = 'myapp://auth/callback';
const redis = useRedis();
const stack = useStack(() => ({
  redisUrl: redis().url,
  router: { appCallbacks: { allowedRedirects: [APP] } },
}));

interface Case {
  name: string;
  headers: Record<string, string>;
  body: string | Uint8Array;
}

const json = { 'content-type': 'application/json' };
const form = { 'content-type': 'application/x-www-form-urlencoded' };

/** Malformed bodies for a route whose one required string field is `field`. */
function malformed(field: string): Case[] {
  const cases: Case[] = [
    { name: 'invalid JSON', headers: json, body: `{"${field}":` },
    { name: 'JSON with a trailing comma', headers: json, body: `{"${field}":"a",}` },
    { name: 'a JSON array', headers: json, body: `["${field}"]` },
    { name: 'a JSON string', headers: json, body: `"${field}"` },
    { name: 'JSON null', headers: json, body: 'null' },
    { name: 'an empty JSON body', headers: json, body: '' },
    { name: 'an empty object', headers: json, body: '{}' },
    { name: 'an oversized JSON body', headers: json, body: JSON.stringify({ [field]: 'a'.repeat(20_000) }) },
    { name: 'text/plain', headers: { 'content-type': 'text/plain' }, body: JSON.stringify({ [field]: 'a' }) },
    { name: 'no content type', headers: {}, body: JSON.stringify({ [field]: 'a' }) },
    {
      name: 'multipart/form-data',
      headers: { 'content-type': 'multipart/form-data; boundary=x' },
      body: `--x\r\nContent-Disposition: form-data; name="${field}"\r\n\r\na\r\n--x--\r\n`,
    },
    {
      name: 'an unsupported charset',
      headers: { 'content-type': 'application/json; charset=x-klingon' },
      body: JSON.stringify({ [field]: 'a' }),
    },
    {
      name: 'an unsupported content encoding',
      headers: { 'content-type': 'application/json', 'content-encoding': 'compress' },
      body: JSON.stringify({ [field]: 'a' }),
    },
    {
      name: 'a corrupt gzip body',
      headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
      body: gzipSync(JSON.stringify({ [field]: 'a' })).subarray(0, 12),
    },
    { name: 'a repeated form field', headers: form, body: `${field}=a&${field}=b` },
    {
      name: 'too many form fields',
      headers: form,
      body: Array.from({ length: 30 }, (_, i) => `f${i}=1`).join('&'),
    },
    { name: 'an oversized form body', headers: form, body: `${field}=${'a'.repeat(20_000)}` },
  ];
  for (const [kind, value] of Object.entries({
    array: ['a'],
    object: { a: 1 },
    number: 1,
    boolean: true,
    null: null,
    'prototype-polluting object': { __proto__: { polluted: true }, toString: 'x' },
  })) {
    cases.push({ name: `${kind} as ${field}`, headers: json, body: JSON.stringify({ [field]: value }) });
  }
  if (field === 'code') {
    for (const codeVerifier of [['a'.repeat(43)], { a: 1 }, 1])
      cases.push({
        name: `codeVerifier ${JSON.stringify(codeVerifier)}`,
        headers: json,
        body: JSON.stringify({ code: 'a'.repeat(43), codeVerifier }),
      });
  }
  cases.push({
    name: '__proto__ carrying the field',
    headers: json,
    body: `{"__proto__":{"${field}":"a"}}`,
  });
  return cases;
}

describe.each([
  ['/auth/session', 'code'],
  ['/auth/session/refresh', 'refreshToken'],
])('POST %s with a malformed body', (path, field) => {
  it.each(malformed(field).map((c) => [c.name, c] as const))(
    'answers 400 invalid_request for %s',
    async (_name, c) => {
      const logsBefore = stack().logs.length;
      const res = await fetch(stack().url(path), {
        method: 'POST',
        headers: { accept: 'application/json', ...c.headers },
        body: c.body,
      });
      const text = await res.text();
      expect(res.status).toBe(400);
      expect(JSON.parse(text)).toEqual({ error: 'invalid_request', message: expect.any(String) });
      expect(text).not.toMatch(/at .*\.(ts|js):\d+/);
      expect(
        stack()
          .logs.slice(logsBefore)
          .filter((l) => l.level === 'error'),
      ).toEqual([]);
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    },
  );
});

describe('well-formed but wrong values', () => {
  it('answers invalid_grant (not invalid_request) for a well-formed unknown code or token', async () => {
    const unknownCode = await exchange(stack(), { code: 'a'.repeat(43), codeVerifier: pkcePair().verifier });
    expect(unknownCode.status).toBe(400);
    expect(unknownCode.body).toMatchObject({ error: 'invalid_grant' });
    const unknownToken = await requestApp(stack())
      .post('/auth/session/refresh')
      .set(form)
      .send('refreshToken=oar_rt_unknown');
    expect(unknownToken.status).toBe(400);
    expect(unknownToken.body).toMatchObject({ error: 'invalid_grant' });
  });

  it('still accepts a form-encoded exchange', async () => {
    const { verifier, challenge } = pkcePair();
    const code = (await appLogin(stack(), { redirectUrl: APP, codeChallenge: challenge })).searchParams.get(
      'code',
    ) as string;
    const res = await requestApp(stack())
      .post('/auth/session')
      .set(form)
      .send(new URLSearchParams({ code, codeVerifier: verifier }).toString());
    expect(res.status).toBe(200);
  });
});
