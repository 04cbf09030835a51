/**
 * An app that serves one login (Redis, the provider's discovery, rate limiting), then shuts down as the README says:
 * `server.close()`, then `await router.close()`. It must then exit by itself: nothing the router opened may keep
 * the process alive. A second router on the app's own ioredis client must leave that client open.
 */
import '../../dev-provider/url-parse-polyfill.js';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { Redis } from 'ioredis';
import { oauthRouter } from '../../src/index.js';

const issuer = process.env.ISSUER as string;
const redisUrl = process.env.REDIS_URL as string;
const options = (redis: string | Redis) => ({
  baseUrl: 'http://127.0.0.1:1',
  redis,
  session: { secret: 'x'.repeat(40) },
  providers: { acme: { issuer, clientId: 'acme-app', clientSecret: process.env.CLIENT_SECRET as string } },
  logger: { warn: () => {}, error: (m: string) => process.stderr.write(`${m}\n`) },
});
const own = new Redis(redisUrl);
const routers = [oauthRouter(options(redisUrl)), oauthRouter(options(own))];
for (const router of routers) {
  const app = express();
  app.use(router);
  const server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const { port } = server.address() as AddressInfo;
  const res = await fetch(`http://127.0.0.1:${port}/auth/acme/login`, { redirect: 'manual' });
  process.stdout.write(`LOGIN ${res.status}\n`);
  await res.arrayBuffer();
  server.close();
  await router.close();
}
process.stdout.write(`OWN ${own.status}\n`);
await own.quit();
