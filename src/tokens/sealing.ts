import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { Keyring } from '../config/keyring.js';
import { OAuthRouterError } from '../errors.js';

const FORMAT = 'v1';
/** GCM's full tag: a shorter one that still verifies would make a forgery 2^32 tries instead of 2^128. */
const TAG_BYTES = 16;
const IV_BYTES = 12;

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
