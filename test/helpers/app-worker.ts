/**
 * One app instance in its own process, for multi-instance tests: the same oauthRouter config as the test's
 * stack, on the same Redis. Prints "READY <port>" when listening; exits when its stdin closes.
 */
import '../../dev-provider/url-parse-polyfill.js';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { oauthRouter, requireAuth } from '../../src/index.js';
import { vaultRoutes } from './vault.js';
import { workerRouterOptions } from './worker-router.js';
import type { WorkerConfig } from './workers.js';

const config = JSON.parse(process.env.WORKER_CONFIG ?? '{}') as WorkerConfig;
const router = oauthRouter(workerRouterOptions(config));
const app = express();
app.use(router);
vaultRoutes(() => `${config.issuer}/me`)(app);
app.get('/me', requireAuth(), (req, res) => {
  res.json({ user: req.user, pid: process.pid });
});
app.use(
  (
    err: { status?: number; code?: string },
    _req: express.Request,
    res: express.Response,
    _next: express.NextFunction,
  ) => {
    res.status(err.status ?? 500).json({ error: err.code ?? 'internal_error' });
  },
);
const server = app.listen(0, '127.0.0.1', () => {
  process.stdout.write(`READY ${(server.address() as AddressInfo).port}\n`);
});
process.stdin.on('end', () => {
  server.closeAllConnections();
  server.close();
  void router.close().then(() => process.exit(0));
});
process.stdin.resume();
