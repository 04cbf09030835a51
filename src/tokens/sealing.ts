import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { OAuthRouterError } from '../errors.js';

const FORMAT = 'v1';
/** GCM's full tag: a shorter one that still verifies would make a forgery 2^32 tries instead of 2^128. */
const TAG_BYTES = 16;
const IV_BYTES = 12;
const KEY_ID = /^[A-Za-z0-9_-]{1,32}$/;

/** A set of AES-256 keys by id; `current` seals, all open. */
export interface Keyring {
  current: string;
  keys: ReadonlyMap<string, Buffer>;
}

/**
 * Parses `tokenEncryption` config into a keyring, collecting problems (for the config error) instead of
 * throwing, so a bad key is reported at startup together with everything else.
 */
export function parseKeyring(
  input: { keys?: Record<string, string>; current?: string } | undefined,
  at: string,
  problems: string[],
): Keyring | undefined {
  if (input === undefined) return undefined;
  const keys = new Map<string, Buffer>();
  const fix = 'generate one with `openssl rand -base64 32`';
  if (typeof input !== 'object' || input === null || typeof input.keys !== 'object' || input.keys === null) {
    problems.push(`${at}.keys is required: set it to { <keyId>: '<32 random bytes, base64>' }; ${fix}`);
    return undefined;
  }
  for (const [id, value] of Object.entries(input.keys)) {
    if (!KEY_ID.test(id)) {
      problems.push(`${at}.keys.${id}: key ids may use only letters, digits, _ and - (at most 32)`);
      continue;
    }
    const key = typeof value === 'string' ? Buffer.from(value, 'base64') : Buffer.alloc(0);
    if (
      key.length !== 32 ||
      typeof value !== 'string' ||
      key.toString('base64').replace(/=+$/, '') !== value.replace(/=+$/, '')
    ) {
      problems.push(`${at}.keys.${id} must be 32 random bytes in base64 (44 characters); ${fix}`);
      continue;
    }
    keys.set(id, key);
  }
  if (keys.size === 0 && Object.keys(input.keys).length === 0)
    problems.push(`${at}.keys is empty: add a key; ${fix}`);
  // Own keys only: `'toString' in keys` is true, and would start the app with token encryption silently off.
  if (typeof input.current !== 'string' || !Object.hasOwn(input.keys, input.current)) {
    problems.push(`${at}.current must name one of ${at}.keys (the key new tokens are sealed with)`);
    return undefined;
  }
  return keys.has(input.current) ? { current: input.current, keys } : undefined;
}

/**
 * Encrypts with AES-256-GCM under the current key: `v1.<keyId>.<iv>.<ciphertext>.<tag>`, base64url parts.
 * `aad` binds the ciphertext to its owner (user and provider): sealed data copied to another row fails to open.
 */
export function seal(keyring: Keyring, plaintext: string, aad: string): string {
  const key = keyring.keys.get(keyring.current) as Buffer;
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(Buffer.from(aad, 'utf8'));
  const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return [
    FORMAT,
    keyring.current,
    iv.toString('base64url'),
    ciphertext.toString('base64url'),
    cipher.getAuthTag().toString('base64url'),
  ].join('.');
}

/**
 * Decrypts what {@link seal} produced, with whichever key of the ring sealed it.
 * @throws OAuthRouterError `token_unreadable` for an unknown key id, a wrong key, a different `aad`, or tampering;
 *   never returns garbage.
 */
export function open(keyring: Keyring, sealed: string, aad: string): string {
  const parts = sealed.split('.');
  const [format, keyId, iv, ciphertext, tag] = parts;
  if (parts.length !== 5 || format !== FORMAT || !keyId || !iv || ciphertext === undefined || !tag) {
    throw unreadable('not a sealed token record');
  }
  const key = keyring.keys.get(keyId);
  if (!key) throw unreadable(`sealed with key "${keyId}", which is not in tokenEncryption.keys`);
  const ivBytes = Buffer.from(iv, 'base64url');
  const tagBytes = Buffer.from(tag, 'base64url');
  if (ivBytes.length !== IV_BYTES || tagBytes.length !== TAG_BYTES) throw unreadable('truncated IV or tag');
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, ivBytes, { authTagLength: TAG_BYTES });
    decipher.setAAD(Buffer.from(aad, 'utf8'));
    decipher.setAuthTag(tagBytes);
    return Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]).toString(
      'utf8',
    );
  } catch (err) {
    throw unreadable(
      `authentication failed with key "${keyId}" (wrong key, another owner's record, or tampering)`,
      err,
    );
  }
}

function unreadable(detail: string, cause?: unknown): OAuthRouterError {
  return new OAuthRouterError('token_unreadable', `Stored token cannot be decrypted: ${detail}`, { cause });
}
