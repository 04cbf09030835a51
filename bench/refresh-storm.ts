/**
 * `npm run bench:refresh`: N concurrent `req.oauth.fetch` calls on an expired token, spread over 1 or 3 app
 * processes sharing Redis. Reports token-endpoint calls (the guarantee: exactly 1), failed calls (must be 0) and
 * the time until every call has completed. Provider: the development OpenID provider with refresh-token rotation.
 */
import '../dev-provider/url-parse-polyfill.js';
import { RedisTokenRepository } from '../src/index.js';
import { Browser } from '../test/helpers/browser.js';
import { startRedis } from '../test/helpers/redis-server.js';
import { authorize, sendCallback } from '../test/helpers/stack.js';
import { expireConnection } from '../test/helpers/vault.js';
import { startFleet } from '../test/helpers/workers.js';
import { machine, writeSection } from './results.js';

const redis = await startRedis();
const fleet = await startFleet(redis.url, 3);
const { op, workers } = fleet;
const rows: string[] = [];
try {
  const browser = new Browser();
  const { user } = (await (await sendCallback(browser, await authorize(fleet.site, browser))).json()) as {
    user: { id: string };
  };
  const cookie = `oauth.sid=${browser.cookie(new URL(fleet.proxy.url).host, 'oauth.sid')}`;
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
      `${machine()}. Concurrent req.oauth.fetch calls on one expired token; the provider rotates refresh tokens (a second use would fail).`,
      '',
      '| app processes | concurrent calls | token-endpoint calls | failed calls | time until all completed |',
      '|---|---|---|---|---|',
      ...rows,
    ].join('\n'),
  );
} finally {
  await fleet.close();
  await redis.stop();
}
