// The security validators one input at a time. Each case below was a mutant of the validator that the end-to-end
// attack tests did not notice (StrykerJS, `npm run mutation`): a check that could be weakened without a test
// failing. Each now has the input that tells the weakened check from the real one.
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import express from 'express';
import request from 'supertest';
import { unsafeAppCallback } from '../../src/config/app-callback-url.js';
import { parseKeyring } from '../../src/config/keyring.js';
import { checkReturnTo } from '../../src/flow/return-to.js';
import { sameOrigin } from '../../src/middleware/same-origin.js';

describe('app callback URLs', () => {
  it('refuses credentials even when only a user name is given, and says why for each rule', () => {
    expect(unsafeAppCallback('myapp://user@auth/callback')).toBe('must not carry credentials');
    expect(unsafeAppCallback('myapp://:secret@auth/callback')).toBe('must not carry credentials');
    expect(unsafeAppCallback('myapp://auth/callback#x')).toBe('must not have a fragment');
    expect(unsafeAppCallback('javascript:alert(1)')).toBe('must not use the javascript: scheme');
    expect(unsafeAppCallback('')).toBe('must be 1 to 2048 characters long');
    expect(unsafeAppCallback(`myapp://a/${'x'.repeat(2048)}`)).toBe('must be 1 to 2048 characters long');
    expect(unsafeAppCallback('myapp://auth/call back')).toBe(
      'must be printable ASCII without spaces or backslashes (percent-encode anything else)',
    );
    expect(unsafeAppCallback('auth/callback')).toBe('must be an absolute URL');
    expect(unsafeAppCallback('myapp://auth/callback')).toBeUndefined();
  });
});

describe('token encryption keys', () => {
  const key = () => randomBytes(32).toString('base64');
  const problemsOf = (input: unknown) => {
    const problems: string[] = [];
    const ring = parseKeyring(input as never, 'tokenEncryption', problems);
    return { ring, problems };
  };

  it('names the fix for a missing, null or non-object keys, instead of crashing', () => {
    for (const input of [
      null,
      'k1',
      42,
      { current: 'k1' },
      { keys: null, current: 'k1' },
      { keys: 'k', current: 'k1' },
    ]) {
      const { ring, problems } = problemsOf(input);
      expect(ring).toBeUndefined();
      expect(problems).toEqual([expect.stringMatching(/^tokenEncryption\.keys is required: set it to/)]);
    }
  });

  it('refuses a key that is not exactly 32 bytes of canonical base64', () => {
    const good = key();
    const bad = {
      short: randomBytes(16).toString('base64'),
      long: randomBytes(48).toString('base64'),
      number: 42,
      // Buffer.from skips characters that are not base64, so a 44-character value can decode to 32 bytes.
      'stray characters': `${good.slice(0, 20)}!!${good.slice(20, 42)}`,
      'padding inside': `${good.slice(0, 20)}=${good.slice(20)}`,
    };
    for (const [name, value] of Object.entries(bad)) {
      const { ring, problems } = problemsOf({ keys: { k1: value }, current: 'k1' });
      expect([name, ring]).toEqual([name, undefined]);
      expect(problems[0]).toMatch(/^tokenEncryption\.keys\.k1 must be 32 random bytes in base64/);
    }
    // Decodes to 32 bytes, but is not what those bytes encode to (a line break inside, or the last character's
    // unused bits set): a copy-paste accident or a different key than the operator thinks.
    const last = good[42] as string;
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
    const sibling = alphabet[alphabet.indexOf(last) ^ 1] as string;
    for (const value of [`${good.slice(0, 22)}\n${good.slice(22)}`, `${good.slice(0, 42)}${sibling}=`]) {
      expect(problemsOf({ keys: { k1: value }, current: 'k1' }).problems[0]).toMatch(
        /must be 32 random bytes/,
      );
    }
    // Padding may be left out, or doubled: the key is the same 32 bytes.
    for (const value of [good, good.replace(/=+$/, ''), `${good}=`]) {
      expect(problemsOf({ keys: { k1: value }, current: 'k1' }).problems).toEqual([]);
    }
  });

  it('says the keys are empty, and that current must name one', () => {
    expect(problemsOf({ keys: {}, current: 'k1' }).problems).toEqual([
      expect.stringMatching(/^tokenEncryption\.keys is empty: add a key/),
      expect.stringMatching(/^tokenEncryption\.current must name one of/),
    ]);
    expect(problemsOf({ keys: { k1: key() } }).problems).toEqual([
      expect.stringMatching(/^tokenEncryption\.current must name one of/),
    ]);
  });
});

describe('returnTo', () => {
  const base = new URL('https://app.example.com/');
  const none = new Set<string>();

  it('accepts a path up to the length limit and refuses one character more', () => {
    const path = (length: number) => `/${'a'.repeat(length - 1)}`;
    expect(checkReturnTo(path(2048), base, none)).toBe(path(2048));
    expect(() => checkReturnTo(path(2049), base, none)).toThrow(
      expect.objectContaining({ code: 'invalid_request' }),
    );
  });

  it('accepts an absolute URL on an allowed origin, and refuses other schemes there', () => {
    const allowed = new Set(['https://docs.example.com']);
    expect(checkReturnTo('https://docs.example.com/page', base, allowed)).toBe(
      'https://docs.example.com/page',
    );
    expect(checkReturnTo('https://app.example.com/x?y=1', base, none)).toBe('https://app.example.com/x?y=1');
    expect(() => checkReturnTo('https://evil.example.com/', base, allowed)).toThrow();
    // Plain http stays usable where the app itself is served over http (local development).
    const local = new URL('http://localhost:3000/');
    expect(checkReturnTo('http://localhost:3000/page', local, none)).toBe('http://localhost:3000/page');
    expect(() =>
      checkReturnTo('ftp://docs.example.com/file', base, new Set(['ftp://docs.example.com'])),
    ).toThrow();
  });

  it('treats an empty returnTo as none', () => {
    expect(checkReturnTo('', base, none)).toBeUndefined();
    expect(checkReturnTo(undefined, base, none)).toBeUndefined();
  });
});

describe('the same-origin check on state-changing auth routes', () => {
  const app = express();
  app.post('/logout', sameOrigin(new URL('https://app.example.com')), (_req, res) => {
    res.status(204).end();
  });
  app.use(
    (err: { status?: number }, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
      res.status(err.status ?? 500).end();
    },
  );

  it('lets a request without Origin through unless the browser says it is cross-site', async () => {
    // A server-side client (curl, a backend) sends neither header: it carries no ambient cookie of a victim.
    expect((await request(app).post('/logout')).status).toBe(204);
    expect((await request(app).post('/logout').set('sec-fetch-site', 'same-origin')).status).toBe(204);
    expect((await request(app).post('/logout').set('sec-fetch-site', 'cross-site')).status).toBe(403);
    expect((await request(app).post('/logout').set('origin', 'https://app.example.com')).status).toBe(204);
    expect((await request(app).post('/logout').set('origin', 'https://evil.example.com')).status).toBe(403);
  });
});
