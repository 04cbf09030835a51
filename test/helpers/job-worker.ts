/**
 * A background job in its own process, for multi-instance tests of `router.forUser()`: it builds the router as an
 * app instance would, but serves no HTTP and handles no request. On "GO" (a line on stdin) it makes `calls`
 * concurrent `forUser(userId).fetch()` calls, prints "DONE <statuses as JSON>" and exits.
 */
import '../../dev-provider/url-parse-polyfill.js';
import { createInterface } from 'node:readline';
import { oauthRouter } from '../../src/index.js';
import { workerRouterOptions } from './worker-router.js';
import type { WorkerConfig } from './workers.js';

export interface JobConfig extends WorkerConfig {
  userId: string;
  url: string;
  calls: number;
}

const config = JSON.parse(process.env.JOB_CONFIG ?? '{}') as JobConfig;
const router = oauthRouter(workerRouterOptions(config));
process.stdout.write('READY\n');
const lines = createInterface({ input: process.stdin });
lines.once('line', async () => {
  const user = router.forUser(config.userId);
  const statuses = await Promise.all(
    Array.from({ length: config.calls }, () =>
      user.fetch('acme', config.url).then(
        async (res) => {
          await res.arrayBuffer();
          return res.status;
        },
        (err: { code?: string }) => err.code ?? 'error',
      ),
    ),
  );
  process.stdout.write(`DONE ${JSON.stringify(statuses)}\n`);
  lines.close();
  await router.close();
  process.exit(0);
});
