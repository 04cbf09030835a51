import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { BEFORE_REVISION } from './support.js';

const FILE = 'bench/RESULTS.md';
const LABELS: Record<string, string> = {
  bare: 'bare Express 5',
  'one-read': 'hand-written: signed cookie + one Redis GET, nothing else (yardstick)',
  floor: 'express-session + connect-redis 8.1 (hand-written check)',
  'floor-notouch': 'the same with connect-redis `disableTouch` (no write per request)',
  passport: 'passport session',
  eoc: 'express-openid-connect `requiresAuth()`',
  'ours-before': `express-oauth-router at ${BEFORE_REVISION}`,
  ours: 'express-oauth-router `requireAuth()`',
};

const MEASURED = [
  'express',
  'express-session',
  'connect-redis',
  'ioredis',
  'passport',
  'express-openid-connect',
  'openid-client',
  'oidc-provider',
];

/** The machine and the versions measured, for the first line of every section: "Machine: …; versions: …". */
export function machine(): string {
  // Read from node_modules directly: some packages' export maps hide their package.json from require.
  const version = (name: string) =>
    (JSON.parse(readFileSync(`node_modules/${name}/package.json`, 'utf8')) as { version: string }).version;
  const redis = /v=(\S+)/.exec(execFileSync('redis-server', ['--version'], { encoding: 'utf8' }))?.[1] ?? '?';
  const packages = MEASURED.map((name) => `${name} ${version(name)}`).join(', ');
  return `Machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, Node ${process.version}; versions: ${packages}, redis-server ${redis}`;
}

/** Prints a table of medians with ratios to bare Express and the floor, and records it in bench/RESULTS.md. */
export async function writeResults(
  name: string,
  settings: Record<string, number>,
  medians: Record<string, { rps: number; p50: number; p99: number; cpuPerRequest: number }>,
  ratios: { bare?: Record<string, number>; floor?: Record<string, number> },
): Promise<void> {
  const ratio = (value: number | undefined) => (value === undefined ? '—' : value.toFixed(2));
  const rows = Object.entries(medians).map(
    ([kind, m]) =>
      `| ${LABELS[kind] ?? kind} | ${m.rps.toFixed(0)} | ${m.p50.toFixed(2)} ms | ${m.p99.toFixed(2)} ms | ${m.cpuPerRequest.toFixed(0)} µs | ${ratio(ratios.bare?.[kind])} | ${ratio(ratios.floor?.[kind])} |`,
  );
  const section = [
    `<!-- ${name} -->`,
    `### ${name} (${new Date().toISOString().slice(0, 10)})`,
    '',
    `${machine()}; ${Object.entries(settings)
      .map(([k, v]) => `${k} ${v}`)
      .join(
        ', ',
      )}; medians of alternating rounds after a 2 s warm-up; contender on core 0, wrk and Redis on core 1. Ratios: median over rounds of the throughput ratio within each round. CPU: contender CPU time per request.`,
    '',
    '| contender | req/s | p50 | p99 | CPU/req | ratio to bare | ratio to floor |',
    '|---|---|---|---|---|---|---|',
    ...rows,
    `<!-- /${name} -->`,
  ].join('\n');
  writeSection(name, section);
}

/** Replaces (or appends) one named section of bench/RESULTS.md and prints it. */
export function writeSection(name: string, body: string): void {
  const section = body.startsWith(`<!-- ${name} -->`) ? body : `<!-- ${name} -->\n${body}\n<!-- /${name} -->`;
  console.log(`\n${section}\n`);
  let text = '';
  try {
    text = readFileSync(FILE, 'utf8');
  } catch {
    text =
      '# Benchmark results\n\nWritten by `npm run bench`; see bench/README.md for what each run measures.\n';
  }
  const pattern = new RegExp(`<!-- ${name} -->[\\s\\S]*?<!-- /${name} -->`);
  text = pattern.test(text) ? text.replace(pattern, section) : `${text.trimEnd()}\n\n${section}\n`;
  writeFileSync(FILE, text);
}
