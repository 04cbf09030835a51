import { rejectUnknownKeys } from './checks.js';
import { TOKEN_ENCRYPTION_KEYS } from './option-keys.js';
import type { Keyring } from './types.js';

// The sealing code (src/tokens/) takes what parseKeyring returns; the type lives with the other resolved types.
export type { Keyring };

const KEY_ID = /^[A-Za-z0-9_-]{1,32}$/;

/**
 * Parses `tokenEncryption` config into a keyring, collecting problems (for the config error) instead of
 * throwing, so a bad key is reported at startup together with everything else.
 *
 * @param input - `tokenEncryption` as the app passed it.
 * @param at - Its path in messages (`tokenEncryption`).
 * @param problems - Where problems are collected.
 * @returns The keyring, or undefined when unset or invalid.
 * @example
 * ```ts
 * const keyring = parseKeyring({ keys: { k1: process.env.TOKEN_KEY }, current: 'k1' }, 'tokenEncryption', problems);
 * ```
 */
export function parseKeyring(
  input: { keys?: Record<string, string>; current?: string } | undefined,
  at: string,
  problems: string[],
): Keyring | undefined {
  if (input === undefined) return undefined;
  const keys = new Map<string, Buffer>();
  const fix = 'generate one with `openssl rand -base64 32`';
  // An extra key (say `previous: 'k0'` for a retired key) would otherwise be ignored in silence: old keys go in `keys`.
  if (typeof input === 'object' && input !== null) {
    rejectUnknownKeys(input, TOKEN_ENCRYPTION_KEYS, `${at}.`, problems);
  }
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
