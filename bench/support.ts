import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { BrowserLike } from './lean-browser.js';

/**
 * Starts one contender (bench/servers/contender.ts) in its own process and resolves once it listens.
 * `pin` runs it on one core with taskset; `BENCH_PROFILE=<kind>` adds a V8 CPU profile in bench/profiles/.
 */
export async function startContender(
  kind: string,
  port: number,
  env: Record<string, string>,
  pin?: number,
): Promise<ChildProcess> {
  const library: Record<string, string> =
    kind === 'ours-before' ? { BENCH_LIBRARY: join(checkoutBefore(), 'src/index.ts') } : {};
  const { child } = await startBenchProcess(
    'bench/servers/contender.ts',
    kind,
    { ...env, ...library, BENCH_KIND: kind, PORT: String(port) },
    pin,
  );
  return child;
}

/**
 * Runs a bench server script under tsx in its own process and resolves with the rest of its "READY …" line.
 * `name` is what BENCH_PROFILE lists to profile this process.
 */
export function startBenchProcess(
  script: string,
  name: string,
  env: Record<string, string>,
  pin?: number,
): Promise<{ child: ChildProcess; ready: string }> {
  const profile = process.env.BENCH_PROFILE?.split(',').includes(name)
    ? ['--cpu-prof', '--cpu-prof-dir=bench/profiles']
    : [];
  const node = [process.execPath, ...profile, '--import', 'tsx', script];
  const [command, ...args] = pin === undefined ? node : ['taskset', '-c', String(pin), ...node];
  const child = spawn(command as string, args, {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const line = /READY(.*)\n/.exec(out);
      if (line) resolve({ child, ready: (line[1] ?? '').trim() });
    });
    child.once('exit', (code) => reject(new Error(`${name} exited with ${code}`)));
  });
}

/**
 * Walks `browser` through a complete sign-in at the development provider, starting at the app's login route, and
 * stops once the app's callback has answered.
 */
export async function signInThroughProvider(
  browser: BrowserLike,
  origin: string,
  loginPath: string,
): Promise<void> {
  const start = await browser.follow(
    `${origin}${loginPath}`,
    (next) => next.origin !== origin && next.pathname.startsWith('/interaction/'),
  );
  const interaction = await browser.follow(start.url, (next) => next.origin === origin);
  await interaction.res.text();
  const back = await browser.follow(interaction.url, (next) => next.origin === origin, {
    method: 'POST',
    body: new URLSearchParams({
      action: 'login',
      email: 'bench@example.test',
      name: 'Bench',
      email_verified: 'true',
    }),
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
  });
  await (await browser.request(back.url)).arrayBuffer();
}

/**
 * A returning user's sign-in: `browser` already holds a session at the provider and has granted the app, and has no
 * session at the app (its app cookies are dropped first, as after signing out). The provider answers the
 * authorization request with a code at once (no login form), as Google does for a signed-in user; stops once the
 * app's callback has answered.
 */
export async function signInAgain(browser: BrowserLike, origin: string, loginPath: string): Promise<void> {
  browser.jar.delete(new URL(origin).host);
  const back = await browser.follow(`${origin}${loginPath}`, (next) => next.origin === origin);
  if (back.url.origin !== origin) {
    throw new Error(`${origin}: the provider did not sign the returning user in (${back.url.pathname})`);
  }
  await (await browser.request(back.url)).arrayBuffer();
}

/** The revision `ours-before` runs: BENCH_BEFORE, default the last commit before the lean session layer. */
export const BEFORE_REVISION = process.env.BENCH_BEFORE ?? '80b0707';

let before: string | undefined;

/**
 * A detached worktree of BEFORE_REVISION (sharing this checkout's node_modules), so that the library as it was and as
 * it is are measured in the same run. Removed by `git worktree prune` once the temporary folder is gone.
 */
function checkoutBefore(): string {
  if (before) return before;
  const dir = mkdtempSync(join(tmpdir(), 'oauth-router-before-'));
  execFileSync('git', ['worktree', 'add', '--detach', '--force', dir, BEFORE_REVISION], { stdio: 'ignore' });
  const modules = resolve('node_modules');
  if (!existsSync(join(dir, 'node_modules'))) symlinkSync(modules, join(dir, 'node_modules'));
  before = dir;
  return dir;
}

/** Removes the worktree `ours-before` ran from, if any. */
export function removeBeforeCheckout(): void {
  if (!before) return;
  execFileSync('git', ['worktree', 'remove', '--force', before], { stdio: 'ignore' });
  rmSync(before, { recursive: true, force: true });
  before = undefined;
}

/**
 * Exits with one line naming the package to install when a tool the benchmark drives is missing, instead of the
 * stack trace a failed spawn would print halfway through a run.
 */
export function requireTools(tools: readonly { command: string; apt: string }[]): void {
  for (const { command, apt } of tools) {
    if (spawnSync(command, ['--version'], { stdio: 'ignore' }).error) {
      console.error(
        `bench: \`${command}\` is missing: install it with \`apt-get install -y ${apt}\` (Debian/Ubuntu)`,
      );
      process.exit(1);
    }
  }
}
