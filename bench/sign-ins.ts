/**
 * `npm run bench:signins`: complete sign-in rounds per second (login → provider → callback → session → protected
 * route), for express-oauth-router, express-openid-connect and passport with openid-client's strategy, all against
 * the same development OpenID provider and one private Redis. The provider, each app and this driver are separate
 * processes. Two kinds of sign-in:
 * - first: a browser without cookies, so the provider shows its login form (two more provider requests);
 * - returning: the browser is still signed in at the provider and has granted the app, so the provider answers at
 *   once with a code, as Google does for a signed-in user; the app has no session for it (signed out).
 * One at a time and 8 concurrent; alternating contenders after a warm-up; medians, and ratios to
 * express-openid-connect as the median of the per-round ratios. Every sign-in must end with a session that passes
 * the guard. Env: BENCH_ROUNDS (3), BENCH_SECONDS (5).
 */
import type { ChildProcess } from 'node:child_process';
import { cpus } from 'node:os';
import { freePort } from '../test/helpers/free-port.js';
import { startRedis } from '../test/helpers/redis-server.js';
import { LeanBrowser } from './lean-browser.js';
import { writeSection } from './results.js';
import { signInAgain, signInThroughProvider, startBenchProcess, startContender } from './support.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const WARMUP_SECONDS = Number(process.env.BENCH_WARMUP ?? 5);
const KINDS = [
  { kind: 'ours', label: 'express-oauth-router', login: '/auth/dev/login', callback: '/auth/dev/callback' },
  { kind: 'eoc', label: 'express-openid-connect', login: '/login', callback: '/callback' },
  {
    kind: 'passport-oidc',
    label: 'passport + openid-client strategy',
    login: '/login',
    callback: '/callback',
  },
] as const;
type Kind = (typeof KINDS)[number]['kind'];
const ALL_SCENARIOS = ['first', 'returning'] as const;
type Scenario = (typeof ALL_SCENARIOS)[number];
const SCENARIOS = ALL_SCENARIOS.filter((s) => process.env.BENCH_SCENARIOS?.split(',').includes(s) ?? true);
// 8 concurrent is always measured: the ratios are taken there.
const CONCURRENCY = [...new Set([...(process.env.BENCH_CONCURRENCY ?? '1,8').split(',').map(Number), 8])];

/** One measurement: sign-ins per second and CPU time per sign-in of the app, the provider and this driver. */
interface Sample {
  perSecond: number;
  appMs: number;
  providerMs: number;
  driverMs: number;
}

const redis = await startRedis();
const ports = Object.fromEntries(
  await Promise.all(KINDS.map(async ({ kind }) => [kind, await freePort()] as const)),
) as Record<Kind, number>;
const origin = (kind: Kind) => `http://127.0.0.1:${ports[kind]}`;
const children: ChildProcess[] = [];
try {
  const provider = await startBenchProcess('bench/servers/provider.ts', 'provider', {
    BENCH_CLIENTS: JSON.stringify(
      KINDS.map(({ kind, callback }) => ({
        client_id: `bench-${kind === 'passport-oidc' ? 'passport' : kind}`,
        client_secret: 'bench-secret-0123456789',
        redirect_uris: [`${origin(kind)}${callback}`],
      })),
    ),
  });
  children.push(provider.child);
  const issuer = provider.ready;
  for (const { kind } of KINDS) {
    children.push(await startContender(kind, ports[kind], { REDIS_URL: redis.url, ISSUER: issuer }));
  }
  for (const { kind, login } of KINDS) {
    for (const scenario of SCENARIOS) await warmUp(kind, login, scenario, WARMUP_SECONDS);
  }
  const samples: Record<string, Sample[]> = {};
  const key = (kind: Kind, scenario: Scenario, concurrency: number) => `${kind} ${scenario} ×${concurrency}`;
  for (let round = 1; round <= ROUNDS; round++) {
    for (const { kind, login } of round % 2 ? KINDS : [...KINDS].reverse()) {
      for (const scenario of SCENARIOS) {
        for (const concurrency of CONCURRENCY) {
          const sample = await measure(kind, login, scenario, concurrency, issuer);
          const name = key(kind, scenario, concurrency);
          samples[name] = [...(samples[name] ?? []), sample];
          console.log(
            `round ${round} ${name.padEnd(28)} ${sample.perSecond.toFixed(1)} sign-ins/s; CPU per sign-in: app ${sample.appMs.toFixed(2)} ms, provider ${sample.providerMs.toFixed(2)} ms, driver ${sample.driverMs.toFixed(2)} ms`,
          );
        }
      }
    }
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
  const of = (kind: Kind, scenario: Scenario, concurrency: number) =>
    samples[key(kind, scenario, concurrency)] as Sample[];
  const rows = SCENARIOS.flatMap((scenario) =>
    KINDS.map(({ kind, label }) => {
      const at = (c: number, field: keyof Sample) => {
        const xs = samples[key(kind, scenario, c)];
        return xs ? median(xs.map((s) => s[field])).toFixed(field === 'perSecond' ? 0 : 2) : '—';
      };
      const eoc8 = of('eoc', scenario, 8);
      const mine = of(kind, scenario, 8);
      const ratio = median(mine.map((s, i) => s.perSecond / (eoc8[i] as Sample).perSecond));
      const efficiency = median(mine.map((s, i) => (eoc8[i] as Sample).appMs / s.appMs));
      return `| ${scenario} | ${label} | ${at(1, 'perSecond')} | ${at(8, 'perSecond')} | ${ratio.toFixed(2)} | ${at(8, 'appMs')} ms | ${efficiency.toFixed(2)} | ${at(8, 'providerMs')} ms | ${at(8, 'driverMs')} ms |`;
    }),
  );
  writeSection(
    'sign-ins',
    [
      `### sign-ins per second (${new Date().toISOString().slice(0, 10)})`,
      '',
      `Machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, Node ${process.version}; ${ROUNDS} alternating rounds of ${SECONDS} s after a ${WARMUP_SECONDS} s warm-up per contender; the provider (its id_token carries the profile, as Google's does), each app, this driver and Redis are separate processes sharing the cores. *first*: a browser with no cookies (connections kept open, as after loading the app's page), through the provider's login form; *returning*: still signed in at the provider, which answers with a code at once. Ratio: median over rounds of sign-ins/s against express-openid-connect's in the same round. CPU per sign-in: each process's CPU time per completed sign-in; figures at 8 concurrent; efficiency: median over rounds of express-openid-connect's app CPU per sign-in over this library's.`,
      '',
      '| sign-in | library | sign-ins/s, one at a time | sign-ins/s, 8 concurrent | ratio to express-openid-connect (8 concurrent) | app CPU per sign-in | app CPU efficiency vs express-openid-connect | provider CPU per sign-in | driver CPU per sign-in |',
      '|---|---|---|---|---|---|---|---|---|',
      ...rows,
    ].join('\n'),
  );
} finally {
  for (const child of children) child.kill('SIGINT');
  await redis.stop();
}

/** CPU time used so far by the process serving `base` (a contender or the provider). */
async function cpuMicros(base: string): Promise<number> {
  return ((await (await fetch(`${base}/__bench/usage`)).json()) as { cpuMicros: number }).cpuMicros;
}

async function measure(
  kind: Kind,
  login: string,
  scenario: Scenario,
  concurrency: number,
  issuer: string,
): Promise<Sample> {
  const browsers = await prepare(kind, login, scenario, concurrency);
  const before = { app: await cpuMicros(origin(kind)), op: await cpuMicros(issuer), me: process.cpuUsage() };
  const count = await signInRepeatedly(browsers, kind, login, scenario, SECONDS);
  const me = process.cpuUsage(before.me);
  const perSignIn = (micros: number) => micros / count / 1000;
  return {
    perSecond: count / SECONDS,
    appMs: perSignIn((await cpuMicros(origin(kind))) - before.app),
    providerMs: perSignIn((await cpuMicros(issuer)) - before.op),
    driverMs: perSignIn(me.user + me.system),
  };
}

/** Warms a contender up: sign-ins for `seconds`, not counted. */
async function warmUp(kind: Kind, login: string, scenario: Scenario, seconds: number): Promise<void> {
  await signInRepeatedly(await prepare(kind, login, scenario, 8), kind, login, scenario, seconds);
}

/** One browser per concurrent user; a returning user has signed in once already, so the provider knows them. */
function prepare(kind: Kind, login: string, scenario: Scenario, concurrency: number): Promise<LeanBrowser[]> {
  return Promise.all(
    Array.from({ length: concurrency }, async () => {
      const browser = new LeanBrowser();
      if (scenario === 'returning') await signInThroughProvider(browser, origin(kind), login);
      return browser;
    }),
  );
}

/**
 * Each browser signs in over and over for `seconds`. Before a first sign-in it drops all its cookies (a new browser
 * profile, unknown to the provider and the app); it keeps its connections open, as the browser of someone who just
 * opened the app's page and clicked "Sign in" has them.
 */
async function signInRepeatedly(
  browsers: LeanBrowser[],
  kind: Kind,
  login: string,
  scenario: Scenario,
  seconds: number,
): Promise<number> {
  const until = performance.now() + seconds * 1000;
  let done = 0;
  await Promise.all(
    browsers.map(async (browser) => {
      while (performance.now() < until) {
        if (scenario === 'returning') {
          await signInAgain(browser, origin(kind), login);
        } else {
          browser.jar.clear();
          await signInThroughProvider(browser, origin(kind), login);
        }
        await checkSession(browser, origin(kind));
        done += 1;
      }
      browser.close();
    }),
  );
  return done;
}

async function checkSession(browser: LeanBrowser, base: string): Promise<void> {
  const check = await browser.request(`${base}/protected`, { headers: { accept: 'application/json' } });
  await check.arrayBuffer();
  if (check.status !== 200)
    throw new Error(`${base}: sign-in did not produce a working session (${check.status})`);
}
