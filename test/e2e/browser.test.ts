import { existsSync, mkdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type Browser, chromium, type Page } from 'playwright-core';
import { type ExampleApp, startExampleApp } from '../../example-app/app.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SHOTS = 'test-output/e2e';

let app: ExampleApp;
let browser: Browser;
let page: Page;
const logs: string[] = [];

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `Chromium is missing at ${CHROMIUM}: run \`apt-get install -y chromium\` (or set CHROMIUM_PATH)`,
    );
  }
  mkdirSync(SHOTS, { recursive: true });
  app = await startExampleApp({
    port: 0,
    // 0: the OS picks the port as it binds; a port from freePort() could be taken before the provider listens.
    devProvider: { port: 0 },
    log: (line) => logs.push(line),
  });
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    // Debian's Chromium as root needs --no-sandbox; the rest keeps it from calling out of this closed network.
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  page = await browser.newPage();
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await app?.close();
});

const shot = (name: string) => page.screenshot({ path: `${SHOTS}/${name}.png`, fullPage: true });

async function signInAtProvider(name: string, email: string): Promise<void> {
  await page.waitForURL((url) => url.pathname.startsWith('/interaction/'));
  await page.fill('#name', name);
  await page.fill('#email', email);
  await shot(`provider-login-${email.split('@')[0]}`);
  await page.click('#sign-in');
  await page.waitForURL(`${app.url}/`);
}

describe('the example app in a real browser', () => {
  it('signs in, calls the API, recovers from a revoked refresh token, and signs out', async () => {
    await page.goto(app.url);
    await shot('01-sign-in-page');
    await page.click('#sign-in-dev');
    await signInAtProvider('Grace Hopper', 'grace@example.test');
    await expect(page.textContent('#greeting')).resolves.toContain('Grace Hopper');
    await expect(page.textContent('.status[data-provider="dev"]')).resolves.toBe('active');
    await expect(page.textContent('.health[data-provider="dev"]')).resolves.toBe('ok');
    // The devices list: this browser, marked as the current device.
    await expect(page.locator('tr.device').count()).resolves.toBe(1);
    await expect(page.textContent('tr.device')).resolves.toContain('this device');
    await shot('02-dashboard');

    await page.click('#api-demo');
    await expect(page.textContent('#api-status')).resolves.toBe('200');
    await expect(page.textContent('#api-body')).resolves.toContain('grace@example.test');
    await shot('03-api-page');

    // The provider revokes the app's access: the next API call cannot refresh and the user is asked to reconnect.
    await page.goto(app.url);
    await page.click('#revoke');
    // The demo says what it did and what to press next.
    await expect(page.textContent('#revoked-notice')).resolves.toContain(
      'revoked every access and refresh token',
    );
    await page.click('#api-demo');
    await page.waitForURL(`${app.url}/`);
    await expect(page.isVisible('#reconnect-banner')).resolves.toBe(true);
    await expect(page.textContent('.status[data-provider="dev"]')).resolves.toBe('needs_reauth');
    await expect(page.textContent('.health[data-provider="dev"]')).resolves.toBe('needs_reauth');
    await shot('04-reconnect-banner');

    await page.click('#reconnect-dev');
    await signInAtProvider('Grace Hopper', 'grace@example.test');
    await expect(page.isVisible('#reconnect-banner')).resolves.toBe(false);
    await expect(page.textContent('.status[data-provider="dev"]')).resolves.toBe('active');
    await page.click('#api-demo');
    await expect(page.textContent('#api-status')).resolves.toBe('200');
    await shot('05-reconnected');

    // Disconnected: the API demo says the account is not connected (not a generic error page).
    await page.goto(app.url);
    await page.click('.status[data-provider="dev"] ~ td form button');
    await page.waitForURL(`${app.url}/`);
    await page.click('#api-demo');
    await expect(page.textContent('#not-connected')).resolves.toContain('not connected');
    await shot('05b-not-connected');

    // Typing the sign-out URL shows a page with a button, not "Cannot GET".
    await page.goto(`${app.url}/auth/logout`);
    await expect(page.textContent('h1')).resolves.toBe('Sign out?');

    await page.goto(app.url);
    await page.click('#sign-out');
    await page.waitForURL(`${app.url}/signed-out`);
    await expect(page.textContent('#notice')).resolves.toContain('signed out');
    await shot('06-signed-out');
    // Signed out for real: the protected page sends the browser to sign in again.
    await page.goto(`${app.url}/me`);
    expect(new URL(page.url()).pathname.startsWith('/interaction/')).toBe(true);
  }, 60_000);
});
