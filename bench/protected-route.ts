/**
 * `npm run bench:protected` (and the first part of `npm run bench`): requests/s and latency of a protected route with a valid session, for our `requireAuth()`
 * against bare Express, a hand-written express-session + connect-redis check (the floor), passport's session
 * and express-openid-connect's `requiresAuth()`. Every contender is its own process; wrk is the load generator
 * (another process); a private redis-server and the development OpenID provider run on loopback. Rounds
 * alternate between contenders; medians are reported, with ratios to bare Express and to the floor, and written
 * to bench/RESULTS.md.
 *
 * Env: BENCH_ROUNDS (3), BENCH_SECONDS (5), BENCH_CONNECTIONS (50), BENCH_ONLY (comma-separated contenders).
 */
import '../dev-provider/url-parse-polyfill.js';
import { type ChildProcess, execFileSync } from 'node:child_process';
import { startDevProvider } from '../dev-provider/index.js';
import { Browser } from '../test/helpers/browser.js';
import { freePort } from '../test/helpers/free-port.js';
import { startRedis } from '../test/helpers/redis-server.js';
import { writeResults } from './results.js';
import { removeBeforeCheckout, requireTools, signInThroughProvider, startContender } from './support.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
const WARMUP_SECONDS = 2;
const ALL = ['bare', 'one-read', 'floor', 'floor-notouch', 'passport', 'eoc', 'ours-before', 'ours'] as const;
type Kind = (typeof ALL)[number];
const ONLY = process.env.BENCH_ONLY?.split(',') as Kind[] | undefined;
const KINDS = ALL.filter((k) => !ONLY || ONLY.includes(k));

interface Sample {
  rps: number;
  p50: number;
  p99: number;
  /** Contender CPU time per request served, in microseconds. */
  cpuPerRequest: number;
  /** Share of its core the contender used during the round (near 1: it was the bottleneck). */
  busy: number;
}

interface Usage {
  served: number;
  cpuMicros: number;
  at: number;
}

requireTools([
  { command: 'wrk', apt: 'wrk' },
  { command: 'taskset', apt: 'util-linux' },
]);
const redis = await startRedis();
const ports = Object.fromEntries(
  await Promise.all(KINDS.map(async (k) => [k, await freePort()] as const)),
) as Record<Kind, number>;
const op = await startDevProvider({
  clients: [
    {
      client_id: 'bench-ours',
      client_secret: 'bench-secret-0123456789',
      redirect_uris: (['ours', 'ours-before'] as const)
        .filter((k) => ports[k])
        .map((k) => `http://127.0.0.1:${ports[k]}/auth/dev/callback`),
    },
    {
      client_id: 'bench-eoc',
      client_secret: 'bench-secret-0123456789',
      redirect_uris: [`http://127.0.0.1:${ports.eoc}/callback`],
    },
  ],
});
const children: ChildProcess[] = [];
try {
  for (const kind of KINDS) {
    children.push(await startContender(kind, ports[kind], { REDIS_URL: redis.url, ISSUER: op.issuer }, 0));
  }
  const cookies: Partial<Record<Kind, string>> = {};
  for (const kind of KINDS) cookies[kind] = await sessionCookie(kind, ports[kind]);
  // Uncounted warm-up: each contender's JIT and connection pools settle before round 1.
  for (const kind of KINDS) wrk(`http://127.0.0.1:${ports[kind]}/protected`, cookies[kind], WARMUP_SECONDS);
  const samples: Record<string, Sample[]> = {};
  for (let round = 1; round <= ROUNDS; round++) {
    for (const kind of round % 2 ? KINDS : [...KINDS].reverse()) {
      const origin = `http://127.0.0.1:${ports[kind]}`;
      const before = await usage(origin);
      const load = wrk(`${origin}/protected`, cookies[kind]);
      const after = await usage(origin);
      const sample: Sample = {
        ...load,
        cpuPerRequest: (after.cpuMicros - before.cpuMicros) / (after.served - before.served - 1),
        busy: (after.cpuMicros - before.cpuMicros) / 1000 / (after.at - before.at),
      };
      samples[kind] = [...(samples[kind] ?? []), sample];
      console.log(
        `round ${round} ${kind.padEnd(8)} ${sample.rps.toFixed(0).padStart(7)} req/s  p50 ${sample.p50.toFixed(2)} ms  p99 ${sample.p99.toFixed(2)} ms  ${sample.cpuPerRequest.toFixed(0)} µs CPU/req  core ${(100 * sample.busy).toFixed(0)}% busy`,
      );
    }
  }
  const medians = Object.fromEntries(Object.entries(samples).map(([k, s]) => [k, median(s)]));
  await writeResults(
    'protected-route',
    { rounds: ROUNDS, seconds: SECONDS, connections: CONNECTIONS },
    medians,
    { bare: roundRatios(samples, 'bare'), floor: roundRatios(samples, 'floor') },
  );
} finally {
  for (const child of children) child.kill('SIGINT');
  removeBeforeCheckout();
  await op.close();
  await redis.stop();
}

/** Obtains a signed-in session cookie the way each library issues one. */
async function sessionCookie(kind: Kind, port: number): Promise<string | undefined> {
  const origin = `http://127.0.0.1:${port}`;
  const browser = new Browser();
  const host = `127.0.0.1:${port}`;
  if (kind === 'bare') return undefined;
  if (kind === 'floor' || kind === 'floor-notouch' || kind === 'passport' || kind === 'one-read') {
    await browser.request(`${origin}/bench-login`);
  } else {
    await signInThroughProvider(
      browser,
      origin,
      kind === 'ours' || kind === 'ours-before' ? '/auth/dev/login' : '/login',
    );
  }
  const jar = browser.jar.get(host) ?? new Map<string, string>();
  const cookie = [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
  const check = await browser.request(`${origin}/protected`, {
    headers: { cookie, accept: 'application/json' },
  });
  if (check.status !== 200)
    throw new Error(`${kind}: the session cookie does not pass the guard (${check.status})`);
  return cookie;
}

/**
 * Each contender's throughput over `baseline`'s in the same round, median over rounds: steadier than a ratio of
 * medians when the machine's speed drifts between rounds.
 */
function roundRatios(
  samples: Record<string, Sample[]>,
  baseline: string,
): Record<string, number> | undefined {
  const base = samples[baseline];
  if (!base) return undefined;
  return Object.fromEntries(
    Object.entries(samples).map(([kind, list]) => {
      const ratios = list.map((s, i) => s.rps / (base[i] as Sample).rps).sort((a, b) => a - b);
      return [kind, ratios[Math.floor(ratios.length / 2)] as number];
    }),
  );
}

async function usage(origin: string): Promise<Usage> {
  return (await fetch(`${origin}/__bench/usage`)).json() as Promise<Usage>;
}

function wrk(
  url: string,
  cookie: string | undefined,
  seconds = SECONDS,
): Pick<Sample, 'rps' | 'p50' | 'p99'> {
  const args = ['-t1', `-c${CONNECTIONS}`, `-d${seconds}s`, '--latency', url];
  if (cookie) args.unshift('-H', `Cookie: ${cookie}`);
  const out = execFileSync('taskset', ['-c', '1', 'wrk', ...args], { encoding: 'utf8' });
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1]);
  const non2xx = /Non-2xx or 3xx responses: (\d+)/.exec(out);
  if (non2xx) throw new Error(`${url}: ${non2xx[1]} failed responses during the run`);
  return { rps, p50: latency(out, '50%'), p99: latency(out, '99%') };
}

function latency(out: string, label: string): number {
  const match = new RegExp(`${label}\\s+([\\d.]+)(us|ms|s)`).exec(out);
  if (!match) return Number.NaN;
  const value = Number(match[1]);
  return match[2] === 'us' ? value / 1000 : match[2] === 's' ? value * 1000 : value;
}

function median(samples: Sample[]): Sample {
  const pick = (key: keyof Sample) => {
    const sorted = samples.map((s) => s[key]).sort((a, b) => a - b);
    return sorted[Math.floor(sorted.length / 2)] as number;
  };
  return {
    rps: pick('rps'),
    p50: pick('p50'),
    p99: pick('p99'),
    cpuPerRequest: pick('cpuPerRequest'),
    busy: pick('busy'),
  };
}
