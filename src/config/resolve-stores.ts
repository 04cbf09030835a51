import { DEFAULTS } from './defaults.js';
import type { OAuthRouterOptions } from './types.js';

/**
 * Checks where state, sessions and users live: Redis (a URL or a client), or the app's own stores. In-memory
 * stores are a warning in development and an error in production.
 *
 * @param input - The options as the app passed them.
 * @param production - Whether `NODE_ENV` is production.
 * @param problems - Where problems are collected.
 * @param warnings - Where development-only warnings are collected.
 */
export function checkStores(
  input: OAuthRouterOptions,
  production: boolean,
  problems: string[],
  warnings: string[],
): void {
  if (input.redis === undefined && (input.kvStore === undefined || input.userRepository === undefined)) {
    if (production) {
      problems.push(
        'redis is required in production: set it to a redis:// URL or an ioredis client (in-memory stores lose every login on restart and do not work across instances)',
      );
    } else {
      warnings.push('redis is not set: using in-memory stores (development only; they are lost on restart)');
    }
  } else if (
    input.redis !== undefined &&
    typeof input.redis === 'string' &&
    !/^rediss?:\/\//.test(input.redis)
  ) {
    problems.push('redis must be a redis:// or rediss:// URL or an ioredis client');
  }
}

/**
 * Resolves `keyPrefix`, the prefix of every Redis key the library writes.
 *
 * @param input - `keyPrefix` as the app passed it.
 * @param problems - Where problems are collected.
 * @returns The prefix.
 */
export function resolveKeyPrefix(input: OAuthRouterOptions['keyPrefix'], problems: string[]): string {
  const keyPrefix = input ?? DEFAULTS.keyPrefix;
  if (typeof keyPrefix !== 'string' || keyPrefix.length === 0) {
    problems.push(`keyPrefix must be a non-empty string: default is "${DEFAULTS.keyPrefix}"`);
  }
  return keyPrefix;
}
