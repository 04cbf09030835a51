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
  // Like Google: the id_token carries the email and profile claims, so every library gets the same user data from
  // the same provider work (by default oidc-provider keeps them for UserInfo, which only some libraries call).
  configuration: { conformIdTokenClaims: false },
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
  const cpu: Record<string, number[]> = {};
  for (let round = 1; round <= ROUNDS; round++) {
    for (const { kind, login } of round % 2 ? KINDS : [...KINDS].reverse()) {
      for (const concurrency of [1, 8]) {
        const origin = `http://127.0.0.1:${ports[kind]}`;
        const before = await usage(origin);
        const { perSecond, count } = await measure(origin, login, concurrency);
        const after = await usage(origin);
        cpu[kind] = [...(cpu[kind] ?? []), (after.cpuMicros - before.cpuMicros) / count / 1000];
        const byConcurrency = results[kind] ?? {};
        byConcurrency[concurrency] = [...(byConcurrency[concurrency] ?? []), perSecond];
        results[kind] = byConcurrency;
        console.log(
          `round ${round} ${kind.padEnd(14)} ×${concurrency}: ${perSecond.toFixed(1)} sign-ins/s, ${((after.cpuMicros - before.cpuMicros) / count / 1000).toFixed(2)} ms app CPU each`,
        );
      }
    }
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
  const eoc = results.eoc as Record<number, number[]>;
  const rows = KINDS.map(({ kind, label }) => {
    const r = results[kind] as Record<number, number[]>;
    const one = median(r[1] as number[]);
    const eight = median(r[8] as number[]);
    const appCpu = median(cpu[kind] as number[]);
    return `| ${label} | ${one.toFixed(0)} | ${eight.toFixed(0)} | ${(eight / median(eoc[8] as number[])).toFixed(2)} | ${appCpu.toFixed(2)} ms | ${(median(cpu.eoc as number[]) / appCpu).toFixed(2)} |`;
  });
  writeSection(
    'sign-ins',
    [
      `### sign-ins per second (${new Date().toISOString().slice(0, 10)})`,
      '',
      `Machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, Node ${process.version}; ${ROUNDS} alternating rounds of ${SECONDS} s; the provider (its id_token carries the profile, as Google's does), the driver and the app share the cores, so the provider's own work is in every throughput figure. App CPU: the app process's CPU time per sign-in (the library's own cost), median over rounds and both concurrencies; efficiency = express-openid-connect's app CPU / this library's.`,
      '',
      '| library | sign-ins/s, one at a time | sign-ins/s, 8 concurrent | ratio to express-openid-connect (8 concurrent) | app CPU per sign-in | app CPU efficiency vs express-openid-connect |',
      '|---|---|---|---|---|---|',
      ...rows,
    ].join('\n'),
  );
} finally {
  for (const child of children) child.kill('SIGINT');
  await op.close();
  await redis.stop();
}

/** The contender's requests served and CPU used so far (bench/servers/contender.ts). */
async function usage(origin: string): Promise<{ cpuMicros: number }> {
  return (await fetch(`${origin}/__bench/usage`)).json() as Promise<{ cpuMicros: number }>;
}

/** Completed sign-ins per second with `concurrency` browsers signing in over and over for SECONDS. */
async function measure(
  origin: string,
  login: string,
  concurrency: number,
): Promise<{ perSecond: number; count: number }> {
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
  return { perSecond: done / SECONDS, count: done };
}

async function signIn(origin: string, login: string): Promise<void> {
  const browser = new Browser();
  await signInThroughProvider(browser, origin, login);
  const check = await browser.request(`${origin}/protected`, { headers: { accept: 'application/json' } });
  await check.arrayBuffer();
  if (check.status !== 200)
    throw new Error(`${origin}: sign-in did not produce a working session (${check.status})`);
}
