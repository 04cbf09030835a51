import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type Browser, chromium } from 'playwright-core';
import { type DevProvider, startDevProvider } from '../../dev-provider/index.js';
import { freePort } from '../helpers/free-port.js';

// The README's Usage code, exactly as a new user pastes it into an app on http://localhost, signing in through
// Chromium against the development provider. The code comes from README.md itself, never a copy in this test.
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ROOT = resolve('.');
const DIR = join(ROOT, 'test-output', 'readme-usage');

/** The ```ts blocks of a `## <title>` section of README.md, in order. */
function readmeBlocks(title: string): string[] {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const start = readme.indexOf(`\n## ${title}\n`);
  if (start < 0) throw new Error(`README.md has no "## ${title}" section`);
  const end = readme.indexOf('\n## ', start + 1);
  const section = readme.slice(start, end < 0 ? undefined : end);
  return [...section.matchAll(/\n```ts\n([\s\S]*?)\n```/g)].map((m) => m[1] as string);
}

let op: DevProvider;
let app: ChildProcess | undefined;
let browser: Browser;
let port: number;
const output: string[] = [];

beforeAll(async () => {
  if (!existsSync(CHROMIUM))
    throw new Error(
      `Chromium is missing at ${CHROMIUM}: run \`apt-get install -y chromium\` (or set CHROMIUM_PATH)`,
    );
  const blocks = readmeBlocks('Usage');
  expect(blocks).toHaveLength(1);
  rmSync(DIR, { recursive: true, force: true });
  mkdirSync(DIR, { recursive: true });
  writeFileSync(join(DIR, 'app.ts'), blocks.join('\n'));
  // The package name resolves to this checkout's source, as it would to the installed package.
  writeFileSync(
    join(DIR, 'tsconfig.json'),
    JSON.stringify({ compilerOptions: { paths: { 'express-oauth-router': ['../../src/index.ts'] } } }),
  );
  // The README app listens on PORT, so the port comes from freePort(), and on a busy machine another process can
  // bind it first: the app then exits with EADDRINUSE, and this starts over on another port.
  for (let attempt = 1; ; attempt++) {
    port = await freePort();
    op = await startDevProvider({
      clients: [
        {
          client_id: 'readme-app',
          client_secret: 'readme-secret-0123456789',
          redirect_uris: [`http://localhost:${port}/auth/acme/callback`],
          grant_types: ['authorization_code', 'refresh_token'],
        },
      ],
    });
    output.length = 0;
    app = spawn(process.execPath, ['--import', 'tsx', 'app.ts'], {
      cwd: DIR,
      env: {
        PATH: process.env.PATH,
        NODE_ENV: 'development',
        PORT: String(port),
        BASE_URL: `http://localhost:${port}`,
        SESSION_SECRET: 'readme-session-secret-0123456789-0123456789',
        OIDC_ISSUER: op.issuer,
        OIDC_CLIENT_ID: 'readme-app',
        OIDC_CLIENT_SECRET: 'readme-secret-0123456789',
      },
    });
    app.stdout?.on('data', (c: Buffer) => output.push(c.toString()));
    app.stderr?.on('data', (c: Buffer) => output.push(c.toString()));
    const child = app;
    const closed = new Promise((resolve) => child.once('close', resolve));
    try {
      await waitForApp(`http://localhost:${port}/`);
      break;
    } catch (err) {
      child.kill();
      await closed; // all of its output read
      await op.close();
      if (attempt >= 3 || !output.join('').includes('EADDRINUSE')) throw err;
    }
  }
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
  });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  app?.kill();
  await op?.close();
});

async function waitForApp(url: string): Promise<void> {
  const until = Date.now() + 30_000;
  for (;;) {
    if (app?.exitCode !== null) throw new Error(`the README app exited:\n${output.join('')}`);
    try {
      // The README app's own page, not whatever else may answer on that port.
      const res = await fetch(url);
      if (res.ok && (await res.text()).includes('<a href="/auth/acme/login">Sign in</a>')) return;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > until) throw new Error(`the README app did not answer:\n${output.join('')}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe("the README's Usage code on http://localhost", () => {
  it('signs in through Chromium, reaches the protected route, and signs out', async () => {
    const page = await browser.newPage();
    const origin = `http://localhost:${port}`;
    await page.goto(`${origin}/`);
    await page.click('text=Sign in');
    await page.waitForURL((url) => url.pathname.startsWith('/interaction/'));
    await page.fill('#name', 'Ada Lovelace');
    await page.fill('#email', 'ada@example.test');
    await page.click('#sign-in');
    await page.waitForURL(`${origin}/`);
    await expect(page.textContent('body')).resolves.toContain('Signed in as ada@example.test');
    const me = await page.goto(`${origin}/me`);
    expect(await me?.json()).toMatchObject({ email: 'ada@example.test' });
    await page.goto(`${origin}/`);
    await page.click('text=Sign out');
    await page.waitForURL(`${origin}/`);
    await expect(page.textContent('body')).resolves.toContain('Sign in');
    expect(output.join('')).not.toMatch(/trust proxy|Secure/);
  }, 60_000);
});
