/**
 * `npm run bench:refresh`: N concurrent `req.oauth.fetch` calls on an expired token, spread over 1 or 3 app
 * processes sharing Redis. Reports token-endpoint calls (the guarantee: exactly 1), failed calls (must be 0) and
 * the time until every call has completed. Provider: the development OpenID provider with refresh-token rotation.
 */
import '../example-app/dev-provider/url-parse-polyfill.js';
import { cpus } from 'node:os';
import { startDevProvider } from '../example-app/dev-provider/index.js';
import { RedisTokenRepository } from '../src/index.js';
import { Browser } from '../test/helpers/browser.js';
import { startRedis } from '../test/helpers/redis-server.js';
import { authorize, CLIENT_SECRET, sendCallback, TEST_SECRET } from '../test/helpers/stack.js';
import { expireConnection, newKey } from '../test/helpers/vault.js';
import { startRoundRobinProxy, startWorker } from '../test/helpers/workers.js';
import { writeSection } from './results.js';

const redis = await startRedis();
const proxy = await startRoundRobinProxy();
const op = await startDevProvider({
  clients: [
    {
      client_id: 'acme-app',
      client_secret: CLIENT_SECRET,
      redirect_uris: [`${proxy.url}/auth/acme/callback`],
      grant_types: ['authorization_code', 'refresh_token'],
    },
  ],
  configuration: { rotateRefreshToken: true },
});
const config = {
  redisUrl: redis.url,
  issuer: op.issuer,
  baseUrl: proxy.url,
  key: newKey(),
  secret: TEST_SECRET,
  clientSecret: CLIENT_SECRET,
};
const workers = await Promise.all([startWorker(config), startWorker(config), startWorker(config)]);
proxy.setTargets(workers.map((w) => w.port));
const rows: string[] = [];
try {
  const browser = new Browser();
  const site = { url: (path: string) => `${proxy.url}${path}`, mountPath: '/auth', origin: proxy.url };
  const { user } = (await (await sendCallback(browser, await authorize(site, browser))).json()) as {
    user: { id: string };
  };
  const cookie = `oauth.sid=${browser.cookie(new URL(proxy.url).host, 'oauth.sid')}`;
  const repo = new RedisTokenRepository(redis.client(), 'oar:');
  for (const processes of [1, 3]) {
    for (const calls of [100, 1000]) {
      await expireConnection(repo, user.id);
      const before = op.tokenRequests.get('refresh_token') ?? 0;
      const started = performance.now();
      const results = await Promise.all(
        Array.from({ length: calls }, (_, i) =>
          fetch(`http://127.0.0.1:${(workers[i % processes] as { port: number }).port}/api/profile`, {
            headers: { cookie, accept: 'application/json' },
          }).then(
            async (res) => {
              await res.arrayBuffer();
              return res.status;
            },
            () => 0,
          ),
        ),
      );
      const ms = performance.now() - started;
      const refreshes = (op.tokenRequests.get('refresh_token') ?? 0) - before;
      const failed = results.filter((status) => status !== 200).length;
      console.log(
        `${processes} process(es), ${calls} calls: ${refreshes} token-endpoint call(s), ${failed} failed, ${ms.toFixed(0)} ms`,
      );
      rows.push(`| ${processes} | ${calls} | ${refreshes} | ${failed} | ${ms.toFixed(0)} ms |`);
    }
  }
  writeSection(
    'refresh-storm',
    [
      `### refresh storm (${new Date().toISOString().slice(0, 10)})`,
      '',
      `Machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, Node ${process.version}. Concurrent req.oauth.fetch calls on one expired token; the provider rotates refresh tokens (a second use would fail).`,
      '',
      '| app processes | concurrent calls | token-endpoint calls | failed calls | time until all completed |',
      '|---|---|---|---|---|',
      ...rows,
    ].join('\n'),
  );
} finally {
  await Promise.all(workers.map((w) => w.stop()));
  await proxy.close();
  await op.close();
  await redis.stop();
}
