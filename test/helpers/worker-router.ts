import type { OAuthRouterOptions } from '../../src/index.js';
import type { WorkerConfig } from './workers.js';

/** The router options of a child-process app instance or job: the test stack's provider, Redis and keys. */
export function workerRouterOptions(config: WorkerConfig): OAuthRouterOptions {
  return {
    baseUrl: config.baseUrl,
    redis: config.redisUrl,
    session: { secret: config.secret, secure: false },
    providers: {
      acme: {
        issuer: config.issuer,
        clientId: 'acme-app',
        clientSecret: config.clientSecret,
        mode: 'integration',
      },
    },
    tokenEncryption: { keys: { k1: config.key }, current: 'k1' },
    rateLimit: false,
    logger: { warn: () => {}, error: (m) => process.stderr.write(`${m}\n`) },
  };
}
