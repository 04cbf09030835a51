import { randomBytes } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import { type Keyring, parseKeyring } from '../../src/config/keyring.js';
import { open, seal } from '../../src/tokens/sealing.js';

const key = () => randomBytes(32).toString('base64');

function keyring(keys: Record<string, string>, current: string): Keyring {
  const problems: string[] = [];
  const ring = parseKeyring({ keys, current }, 'tokenEncryption', problems);
  expect(problems).toEqual([]);
  return ring as Keyring;
}

describe('token encryption (AES-256-GCM)', () => {
  const k1 = key();
  const k2 = key();

  it('round-trips and never shows the plaintext', () => {
    const ring = keyring({ k1 }, 'k1');
    const sealed = seal(ring, 'secret-access-token', 'alice/acme');
    expect(sealed).toMatch(/^v1\.k1\.[\w-]{16}\.[\w-]+\.[\w-]{22}$/);
    expect(sealed).not.toContain('secret-access-token');
    expect(open(ring, sealed, 'alice/acme')).toBe('secret-access-token');
    // A fresh IV each time: equal plaintexts do not give equal ciphertexts.
    expect(seal(ring, 'secret-access-token', 'alice/acme')).not.toBe(sealed);
  });

  it('opens records sealed with an older key after rotation, and seals new ones with the current key', () => {
    const old = seal(keyring({ k1 }, 'k1'), 'old-token', 'aad');
    const rotated = keyring({ k2, k1 }, 'k2');
    expect(open(rotated, old, 'aad')).toBe('old-token');
    expect(seal(rotated, 'new', 'aad').startsWith('v1.k2.')).toBe(true);
  });

  it('refuses a record bound to another owner (additional authenticated data)', () => {
    const ring = keyring({ k1 }, 'k1');
    const sealed = seal(ring, 'token', 'alice/acme');
    expect(() => open(ring, sealed, 'mallory/acme')).toThrow(
      expect.objectContaining({ code: 'token_unreadable' }),
    );
  });

  it('refuses a wrong key, an unknown key id, tampering and garbage with token_unreadable', () => {
    const ring = keyring({ k1 }, 'k1');
    const sealed = seal(ring, 'token', 'aad');
    expect(() => open(keyring({ k1: k2 }, 'k1'), sealed, 'aad')).toThrow(
      expect.objectContaining({ code: 'token_unreadable' }),
    );
    expect(() => open(keyring({ k9: k1 }, 'k9'), sealed, 'aad')).toThrow(/not in tokenEncryption.keys/);
    const parts = sealed.split('.');
    const flipped = Buffer.from(parts[3] as string, 'base64url');
    flipped[0] = (flipped[0] as number) ^ 1;
    parts[3] = flipped.toString('base64url');
    expect(() => open(ring, parts.join('.'), 'aad')).toThrow(
      expect.objectContaining({ code: 'token_unreadable' }),
    );
    expect(() => open(ring, 'plaintext-token', 'aad')).toThrow(
      expect.objectContaining({ code: 'token_unreadable' }),
    );
    // A record of another format version is not read as this one, even when its bytes would decrypt.
    expect(() => open(ring, sealed.replace(/^[^.]+/, 'v9'), 'aad')).toThrow(/not a sealed token record/);
  });

  it('refuses a record whose GCM tag was cut short (a 4-byte tag is forgeable in about 2^32 tries)', () => {
    const ring = keyring({ k1 }, 'k1');
    const parts = seal(ring, 'token', 'aad').split('.');
    for (const bytes of [4, 8, 12, 15]) {
      const cut = [...parts];
      cut[4] = Buffer.from(parts[4] as string, 'base64url')
        .subarray(0, bytes)
        .toString('base64url');
      expect(() => open(ring, cut.join('.'), 'aad')).toThrow(
        expect.objectContaining({ code: 'token_unreadable' }),
      );
    }
  });

  it('refuses a current key id that is only an inherited property (toString), so encryption is never silently off', () => {
    for (const current of ['toString', 'constructor', '__proto__', 'hasOwnProperty']) {
      const problems: string[] = [];
      expect(parseKeyring({ keys: { k1 }, current }, 'tokenEncryption', problems)).toBeUndefined();
      expect(problems).toEqual([expect.stringMatching(/^tokenEncryption\.current must name one of/)]);
    }
  });

  it('reports bad key configuration with the field and the fix', () => {
    const problems: string[] = [];
    parseKeyring({ keys: { k1: 'too-short', 'bad id!': key() }, current: 'k3' }, 'tokenEncryption', problems);
    expect(problems).toEqual([
      expect.stringMatching(
        /^tokenEncryption\.keys\.k1 must be 32 random bytes in base64.*openssl rand -base64 32/,
      ),
      expect.stringMatching(/^tokenEncryption\.keys\.bad id!: key ids may use only/),
      expect.stringMatching(/^tokenEncryption\.current must name one of tokenEncryption\.keys/),
    ]);
  });
});
