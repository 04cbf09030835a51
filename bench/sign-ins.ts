/**
 * `npm run bench:signins`: complete sign-in rounds per second (login → provider login form → callback → session →
 * protected route), for express-oauth-router, express-openid-connect and passport with openid-client's strategy,
 * all against the same in-process development OpenID provider and one private Redis. One at a time and 8
 * concurrent; alternating contenders; medians. Every round must end with a session that passes the guard.
 * Env: BENCH_ROUNDS (3), BENCH_SECONDS (5).
 */
import '../example-app/dev-provider/url-parse-polyfill.js';
import type { ChildProcess } from 'node:child_process';
import { cpus } from 'node:os';
import { startDevProvider } from '../example-app/dev-provider/index.js';
import { Browser } from '../test/helpers/browser.js';
import { freePort } from '../test/helpers/free-port.js';
import { startRedis } from '../test/helpers/redis-server.js';
import { writeSection } from './results.js';
import { signInThroughProvider, startContender } from './support.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const KINDS = [
  { kind: 'ours', label: 'express-oauth-router', login: '/auth/dev/login' },
  { kind: 'eoc', label: 'express-openid-connect', login: '/login' },
  { kind: 'passport-oidc', label: 'passport + openid-client strategy', login: '/login' },
] as const satisfies readonly { kind: string; label: string; login: string }[];

const redis = await startRedis();
const ports = { ours: await freePort(), eoc: await freePort(), 'passport-oidc': await freePort() };
const op = await startDevProvider({
  clients: [
    {
      client_id: 'bench-ours',
      client_secret: 'bench-secret-0123456789',
      redirect_uris: [`http://127.0.0.1:${ports.ours}/auth/dev/callback`],
    },
    {
      client_id: 'bench-eoc',
      client_secret: 'bench-secret-0123456789',
      redirect_uris: [`http://127.0.0.1:${ports.eoc}/callback`],
    },
    {
      client_id: 'bench-passport',
      client_secret: 'bench-secret-0123456789',
      redirect_uris: [`http://127.0.0.1:${ports['passport-oidc']}/callback`],
    },
  ],
});
const children: ChildProcess[] = [];
try {
  for (const { kind } of KINDS) {
    children.push(await startContender(kind, ports[kind], { REDIS_URL: redis.url, ISSUER: op.issuer }));
  }
  const results: Record<string, Record<number, number[]>> = {};
  for (let round = 1; round <= ROUNDS; round++) {
    for (const { kind, login } of round % 2 ? KINDS : [...KINDS].reverse()) {
      for (const concurrency of [1, 8]) {
        const perSecond = await measure(`http://127.0.0.1:${ports[kind]}`, login, concurrency);
        const byConcurrency = results[kind] ?? {};
        byConcurrency[concurrency] = [...(byConcurrency[concurrency] ?? []), perSecond];
        results[kind] = byConcurrency;
        console.log(`round ${round} ${kind.padEnd(14)} ×${concurrency}: ${perSecond.toFixed(1)} sign-ins/s`);
      }
    }
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
  const eoc = results.eoc as Record<number, number[]>;
  const rows = KINDS.map(({ kind, label }) => {
    const r = results[kind] as Record<number, number[]>;
    const one = median(r[1] as number[]);
    const eight = median(r[8] as number[]);
    return `| ${label} | ${one.toFixed(0)} | ${eight.toFixed(0)} | ${(eight / median(eoc[8] as number[])).toFixed(2)} |`;
  });
  writeSection(
    'sign-ins',
    [
      `### sign-ins per second (${new Date().toISOString().slice(0, 10)})`,
      '',
      `Machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, Node ${process.version}; ${ROUNDS} alternating rounds of ${SECONDS} s; the provider, the driver and the app share the cores, so the provider's own work is in every figure.`,
      '',
      '| library | sign-ins/s, one at a time | sign-ins/s, 8 concurrent | ratio to express-openid-connect (8 concurrent) |',
      '|---|---|---|---|',
      ...rows,
    ].join('\n'),
  );
} finally {
  for (const child of children) child.kill('SIGINT');
  await op.close();
  await redis.stop();
}

/** Completed sign-ins per second with `concurrency` browsers signing in over and over for SECONDS. */
async function measure(origin: string, login: string, concurrency: number): Promise<number> {
  const until = performance.now() + SECONDS * 1000;
  let done = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < until) {
        await signIn(origin, login);
        done += 1;
      }
    }),
  );
  return done / SECONDS;
}

async function signIn(origin: string, login: string): Promise<void> {
  const browser = new Browser();
  await signInThroughProvider(browser, origin, login);
  const check = await browser.request(`${origin}/protected`, { headers: { accept: 'application/json' } });
  await check.arrayBuffer();
  if (check.status !== 200)
    throw new Error(`${origin}: sign-in did not produce a working session (${check.status})`);
}
