/**
 * `npm run bench:signins`: complete sign-in rounds per second (login → provider → callback → session → protected
 * route), for express-oauth-router, express-openid-connect and passport with openid-client's strategy, all against
 * the same development OpenID provider and one private Redis. The provider, each app and this driver are separate
 * processes. Two kinds of sign-in:
 * - first: a browser without cookies, so the provider shows its login form (two more provider requests);
 * - returning: the browser is still signed in at the provider and has granted the app, so the provider answers at
 *   once with a code, as Google does for a signed-in user; the app has no session for it (signed out).
 * 1, 8 and 32 concurrent users; alternating contenders after a warm-up; medians, and ratios to
 * express-openid-connect as the median of the per-round ratios. Every sign-in must end with a session that passes
 * the guard. Env: BENCH_ROUNDS (3), BENCH_SECONDS (5), BENCH_WARMUP (5), BENCH_SCENARIOS (first,returning),
 * BENCH_CONCURRENCY (1,8,32), BENCH_BEFORE (a git revision of this library to measure alongside, as `ours-before`).
 */
import type { ChildProcess } from 'node:child_process';
import { cpus } from 'node:os';
import { freePort } from '../test/helpers/free-port.js';
import { startRedis } from '../test/helpers/redis-server.js';
import { LeanBrowser } from './lean-browser.js';
import { machine, writeSection } from './results.js';
import {
  BEFORE_REVISION,
  removeBeforeCheckout,
  signInAgain,
  signInThroughProvider,
  startBenchProcess,
  startContender,
} from './support.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const WARMUP_SECONDS = Number(process.env.BENCH_WARMUP ?? 5);
// BENCH_BEFORE=<git revision> adds our router as it was at that revision (`ours-before`), for a before/after
// measured in the same run.
const WITH_BEFORE = process.env.BENCH_BEFORE !== undefined;
const KINDS = [
  { kind: 'ours', label: 'express-oauth-router', login: '/auth/dev/login', callback: '/auth/dev/callback' },
  ...(WITH_BEFORE
    ? [
        {
          kind: 'ours-before',
          label: `express-oauth-router at ${BEFORE_REVISION}`,
          login: '/auth/dev/login',
          callback: '/auth/dev/callback',
        } as const,
      ]
    : []),
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
// Sign-ins/s is a capacity only once the machine is saturated: 32 concurrent users get there, 8 do not quite (the
// busy column shows it), 1 shows latency. The headline ratio is taken at the highest concurrency measured.
const CONCURRENCY = (process.env.BENCH_CONCURRENCY ?? '1,8,32')
  .split(',')
  .map(Number)
  .sort((a, b) => a - b);
const HEADLINE = CONCURRENCY[CONCURRENCY.length - 1] as number;

/** One measurement: sign-ins per second and CPU time per sign-in of the app, the provider, this driver and Redis. */
interface Sample {
  perSecond: number;
  appMs: number;
  providerMs: number;
  driverMs: number;
  redisMs: number;
  /** Share of the machine's cores the four used (near 1: saturated, so sign-ins/s is the capacity). */
  busy: number;
}

const redis = await startRedis();
const redisClient = redis.client();
const ports = Object.fromEntries(
  await Promise.all(KINDS.map(async ({ kind }) => [kind, await freePort()] as const)),
) as Record<Kind, number>;
const origin = (kind: Kind) => `http://127.0.0.1:${ports[kind]}`;
const children: ChildProcess[] = [];
try {
  const provider = await startBenchProcess('bench/servers/provider.ts', 'provider', {
    BENCH_CLIENTS: JSON.stringify(clients()),
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
  const fixed = (value: number, digits: number) => value.toFixed(digits);
  /** Median over rounds of `f(this library's sample, express-openid-connect's sample)` in the same round. */
  const perRound = (kind: Kind, scenario: Scenario, c: number, f: (mine: Sample, eoc: Sample) => number) => {
    const eoc = of('eoc', scenario, c);
    return median(of(kind, scenario, c).map((s, i) => f(s, eoc[i] as Sample)));
  };
  const throughput = SCENARIOS.flatMap((scenario) =>
    KINDS.map(({ kind, label }) => {
      const cells = CONCURRENCY.map((c) => fixed(median(of(kind, scenario, c).map((s) => s.perSecond)), 0));
      const ratios = CONCURRENCY.filter((c) => c > 1).map((c) =>
        fixed(
          perRound(kind, scenario, c, (mine, eoc) => mine.perSecond / eoc.perSecond),
          2,
        ),
      );
      return `| ${scenario} | ${label} | ${[...cells, ...ratios].join(' | ')} |`;
    }),
  );
  const cost = SCENARIOS.flatMap((scenario) =>
    KINDS.map(({ kind, label }) => {
      const at = (field: keyof Sample) => median(of(kind, scenario, HEADLINE).map((s) => s[field]));
      const efficiency = perRound(kind, scenario, HEADLINE, (mine, eoc) => eoc.appMs / mine.appMs);
      const busy = CONCURRENCY.filter((c) => c > 1).map(
        (c) => `${fixed(100 * median(of(kind, scenario, c).map((s) => s.busy)), 0)}%`,
      );
      return `| ${scenario} | ${label} | ${fixed(at('appMs'), 2)} ms | ${fixed(efficiency, 2)} | ${fixed(at('providerMs'), 2)} ms | ${fixed(at('driverMs'), 2)} ms | ${fixed(at('redisMs'), 2)} ms | ${busy.join(' | ')} |`;
    }),
  );
  const many = CONCURRENCY.filter((c) => c > 1);
  writeSection(
    'sign-ins',
    [
      `### sign-ins per second (${new Date().toISOString().slice(0, 10)})`,
      '',
      `${machine()}; ${ROUNDS} alternating rounds of ${SECONDS} s after a ${WARMUP_SECONDS} s warm-up per contender; the provider (its id_token carries the profile, as Google's does), each app, this driver and Redis are separate processes sharing the cores. *first*: a browser with no cookies (connections kept open, as after loading the app's page), through the provider's login form; *returning*: still signed in at the provider, which answers with a code at once. Ratios: median over rounds of the ratio to express-openid-connect within the round. Rate limiting is off in our router, as the peers have none.`,
      '',
      `| sign-in | library | ${CONCURRENCY.map((c) => `sign-ins/s, ${c} concurrent`).join(' | ')} | ${many.map((c) => `ratio to express-openid-connect, ${c} concurrent`).join(' | ')} |`,
      `|---|---|${[...CONCURRENCY, ...many].map(() => '---|').join('')}`,
      ...throughput,
      '',
      `CPU time per completed sign-in at ${HEADLINE} concurrent, by process, and how busy the machine's cores were (all four processes together; near 100%: saturated, so sign-ins/s is the machine's capacity). Efficiency: express-openid-connect's app CPU per sign-in over this library's, median of per-round ratios.`,
      '',
      `| sign-in | library | app CPU | app CPU efficiency vs express-openid-connect | provider CPU | driver CPU | Redis CPU | ${many.map((c) => `cores busy, ${c} concurrent`).join(' | ')} |`,
      `|---|---|---|---|---|---|---|${many.map(() => '---|').join('')}`,
      ...cost,
    ].join('\n'),
  );
} finally {
  for (const child of children) child.kill('SIGINT');
  removeBeforeCheckout();
  await redis.stop();
}

/** The provider's clients: one per library; `ours` and `ours-before` share theirs, as contender.ts does. */
function clients(): { client_id: string; client_secret: string; redirect_uris: string[] }[] {
  const byId = new Map<string, string[]>();
  for (const { kind, callback } of KINDS) {
    const id = `bench-${kind === 'passport-oidc' ? 'passport' : kind === 'ours-before' ? 'ours' : kind}`;
    byId.set(id, [...(byId.get(id) ?? []), `${origin(kind)}${callback}`]);
  }
  return [...byId].map(([client_id, redirect_uris]) => ({
    client_id,
    client_secret: 'bench-secret-0123456789',
    redirect_uris,
  }));
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
  const before = {
    app: await cpuMicros(origin(kind)),
    op: await cpuMicros(issuer),
    redis: await redisCpuMicros(),
    me: process.cpuUsage(),
  };
  const count = await signInRepeatedly(browsers, kind, login, scenario, SECONDS);
  const me = process.cpuUsage(before.me);
  const used = {
    app: (await cpuMicros(origin(kind))) - before.app,
    op: (await cpuMicros(issuer)) - before.op,
    redis: (await redisCpuMicros()) - before.redis,
    me: me.user + me.system,
  };
  const perSignIn = (micros: number) => micros / count / 1000;
  return {
    perSecond: count / SECONDS,
    appMs: perSignIn(used.app),
    providerMs: perSignIn(used.op),
    driverMs: perSignIn(used.me),
    redisMs: perSignIn(used.redis),
    busy: (used.app + used.op + used.redis + used.me) / (SECONDS * 1e6 * cpus().length),
  };
}

/** CPU time redis-server has used so far (INFO cpu), in microseconds. */
async function redisCpuMicros(): Promise<number> {
  const info = await redisClient.info('cpu');
  const seconds = (name: string) => Number(new RegExp(`${name}:([\\d.]+)`).exec(info)?.[1] ?? 0);
  return (seconds('used_cpu_sys') + seconds('used_cpu_user')) * 1e6;
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
