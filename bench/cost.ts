/**
 * `npm run bench:cost`: what one signed-in session and one pending login cost in Redis (keys and bytes, by
 * MEMORY USAGE), and protected-route throughput as stored sessions grow (10k, 100k, 1M other sessions present).
 * Env: BENCH_SECONDS (5), BENCH_SESSIONS (comma-separated counts; default 10000,100000,1000000).
 */
import '../dev-provider/url-parse-polyfill.js';
import { type ChildProcess, execFileSync } from 'node:child_process';
import { startDevProvider } from '../dev-provider/index.js';
import { Browser } from '../test/helpers/browser.js';
import { freePort } from '../test/helpers/free-port.js';
import { startRedis } from '../test/helpers/redis-server.js';
import { machine, writeSection } from './results.js';
import { requireTools, signInThroughProvider, startContender } from './support.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const COUNTS = (process.env.BENCH_SESSIONS ?? '10000,100000,1000000').split(',').map(Number);

requireTools([
  { command: 'wrk', apt: 'wrk' },
  { command: 'taskset', apt: 'util-linux' },
]);
const redis = await startRedis();
const client = redis.client();
const port = await freePort();
const origin = `http://127.0.0.1:${port}`;
const op = await startDevProvider({
  clients: [
    {
      client_id: 'bench-ours',
      client_secret: 'bench-secret-0123456789',
      redirect_uris: [`${origin}/auth/dev/callback`],
    },
  ],
});
let child: ChildProcess | undefined;
try {
  // --expose-gc: the app's heap is read after a collection, so it shows what the process keeps.
  child = await startContender(
    'ours',
    port,
    { REDIS_URL: redis.url, ISSUER: op.issuer, NODE_OPTIONS: '--expose-gc' },
    0,
  );

  // One pending login: the key the login route writes.
  const before = new Set(await client.keys('*'));
  const pendingBrowser = new Browser();
  await pendingBrowser.request(`${origin}/auth/dev/login`);
  const pendingKeys = (await client.keys('*')).filter((k) => !before.has(k));
  const pendingBytes = await bytes(pendingKeys);

  // One signed-in user: the session plus the user records (the latter once per user, not per session).
  const browser = new Browser();
  await signInThroughProvider(browser, origin, '/auth/dev/login');
  const sessionKeys = await client.keys('ours:sess:*');
  const userKeys = (await client.keys('ours:*')).filter(
    (k) => !k.startsWith('ours:sess:') && !k.startsWith('ours:flow:'),
  );
  const sessionBytes = await bytes(sessionKeys);
  const userBytes = await bytes(userKeys);
  const cookie = `oauth.sid=${browser.cookie(`127.0.0.1:${port}`, 'oauth.sid')}`;
  const sample = (await client.get(sessionKeys[0] as string)) as string;

  const rows: string[] = [];
  let stored = 0;
  wrk(cookie, 2); // warm-up, not recorded: the first row would otherwise measure the JIT
  rows.push(await row(stored, cookie));
  for (const count of COUNTS) {
    // Other users' sessions, written as connect-redis writes them (same size and TTL as the real one).
    for (let i = stored; i < count; i += 10_000) {
      const pipeline = client.pipeline();
      for (let j = i; j < Math.min(count, i + 10_000); j++)
        pipeline.set(`ours:sess:filler-${j}`, sample, 'EX', 86_400);
      await pipeline.exec();
    }
    stored = count;
    const info = await client.info('memory');
    console.log(`${count} stored sessions, Redis used_memory ${/used_memory_human:(\S+)/.exec(info)?.[1]}`);
    rows.push(await row(count, cookie));
  }
  const usedMemory = /used_memory_human:(\S+)/.exec(await client.info('memory'))?.[1];
  writeSection(
    'cost',
    [
      `### cost growth (${new Date().toISOString().slice(0, 10)})`,
      '',
      `${machine()}. Bytes by Redis MEMORY USAGE.`,
      '',
      '| what | Redis keys | bytes |',
      '|---|---|---|',
      `| one pending login (flow state, 5-minute TTL) | ${pendingKeys.length} | ${pendingBytes} |`,
      `| one signed-in session | ${sessionKeys.length} | ${sessionBytes} |`,
      `| one user (record, account and email indexes; once per user, not per session) | ${userKeys.length} | ${userBytes} |`,
      '',
      `Protected-route throughput (our requireAuth, 50 connections, ${SECONDS} s, one run each) as other sessions accumulate; Redis held ${usedMemory} at the end. The app keeps nothing per session or per pending login in process (the store holds it all), so its memory should stay flat:`,
      '',
      '| stored sessions | req/s | app heap after a full GC | app resident memory |',
      '|---|---|---|---|',
      ...rows,
    ].join('\n'),
  );
} finally {
  child?.kill('SIGTERM');
  await op.close();
  await redis.stop();
}

async function bytes(keys: string[]): Promise<number> {
  let total = 0;
  for (const key of keys) total += Number(await client.call('MEMORY', 'USAGE', key));
  return total;
}

/** One table row: throughput with `count` other sessions stored, then the app's memory. */
async function row(count: number, cookie: string): Promise<string> {
  const rps = wrk(cookie);
  const usage = (await (await fetch(`${origin}/__bench/usage?gc=1`)).json()) as {
    rss: number;
    heapUsed: number;
  };
  const mb = (n: number) => `${(n / 1_048_576).toFixed(1)} MB`;
  return `| ${count} | ${rps.toFixed(0)} | ${mb(usage.heapUsed)} | ${mb(usage.rss)} |`;
}

function wrk(cookie: string, seconds = SECONDS): number {
  const out = execFileSync(
    'taskset',
    ['-c', '1', 'wrk', '-t1', '-c50', `-d${seconds}s`, '-H', `Cookie: ${cookie}`, `${origin}/protected`],
    {
      encoding: 'utf8',
    },
  );
  if (/Non-2xx/.test(out)) throw new Error('the session stopped passing the guard');
  return Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1]);
}
