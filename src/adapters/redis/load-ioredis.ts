import { createRequire } from 'node:module';
import { ConfigError } from '../../errors.js';
import type { RedisClient } from '../redis-client.js';

const require = createRequire(import.meta.url);

/**
 * The part of the ioredis module this library uses, declared here so that no published declaration names
 * ioredis (an app without it must still type-check).
 */
export interface IoredisModule {
  Redis: new (
    url: string,
    options: Record<string, unknown>,
  ) => RedisClient & {
    connect(): Promise<void>;
    info(section: string): Promise<string>;
    call(command: string, ...args: string[]): Promise<unknown>;
  };
}

/**
 * Loads ioredis when a Redis URL is configured, and only then: it is an optional peer dependency, so an app on
 * in-memory stores (or its own stores) need not install it. Synchronous (ioredis is CommonJS), because
 * `oauthRouter()` opens the client while it builds the router.
 *
 * @returns The ioredis module.
 * @throws ConfigError naming the fix when ioredis is not installed.
 * @example
 * const { Redis } = loadIoredis();
 */
export function loadIoredis(): IoredisModule {
  try {
    return require('ioredis') as IoredisModule;
  } catch (err) {
    if (
      (err as { code?: unknown } | null)?.code === 'MODULE_NOT_FOUND' &&
      String(err).includes("'ioredis'")
    ) {
      throw new ConfigError([
        'redis is a URL, but ioredis is not installed: run `npm install ioredis` (5.2.5 or later), or pass your own client',
      ]);
    }
    throw err;
  }
}
