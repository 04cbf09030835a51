import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { type Logger, RedisTokenRepository } from '../../src/index.js';
import { Browser } from '../helpers/browser.js';
import { useRedis } from '../helpers/lifecycle.js';
import { CLIENT_SECRET, type Stack, signIn, startStack } from '../helpers/stack.js';
import { expireConnection, newKey, vaultRoutes } from '../helpers/vault.js';

const redis = useRedis();
let stack: Stack | undefined;
afterEach(async () => {
  await stack?.close();
  stack = undefined;
  jest.restoreAllMocks();
});

type Line = { level: string; message: string; details?: Record<string, unknown> };

function levelsLogger(lines: Line[]): Logger {
  const at =
    (level: string) =>
    (message: string, details?: Record<string, unknown>): void => {
      lines.push({ level, message, details });
    };
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

describe('logger levels', () => {
  it('tells an app logger with info and debug about sign-ins, refreshes and sign-outs', async () => {
    const lines: Line[] = [];
    stack = await startStack({
      redisUrl: redis().url,
      providers: (issuer) => ({
        acme: { issuer, clientId: 'acme-app', clientSecret: CLIENT_SECRET, mode: 'integration' as const },
      }),
      router: {
        keyPrefix: 'logging:',
        logger: levelsLogger(lines),
        tokenEncryption: { keys: { k1: newKey() }, current: 'k1' },
      },
      routes: vaultRoutes(() => `${stack?.op.issuer}/me`),
    });
    const browser = new Browser();
    const res = await signIn(stack, browser, { email: 'levels@example.test' });
    const userId = ((await res.json()) as { user: { id: string } }).user.id;
    await expireConnection(new RedisTokenRepository(redis().client(), 'logging:'), userId);
    expect((await browser.request(stack.url('/api/token'))).status).toBe(200);
    await browser.request(stack.url('/auth/logout'), {
      method: 'POST',
      headers: { origin: stack.origin, accept: 'application/json' },
    });
    expect(lines.filter((l) => l.level === 'info' || l.level === 'debug')).toEqual([
      {
        level: 'info',
        message: 'express-oauth-router: signed in',
        details: { provider: 'acme', userId, kind: 'new' },
      },
      {
        level: 'debug',
        message: 'express-oauth-router: refreshed the tokens of a connection',
        details: { provider: 'acme', userId },
      },
      { level: 'info', message: 'express-oauth-router: signed out', details: { userId, app: false } },
    ]);
    expect(lines.filter((l) => l.level === 'warn' || l.level === 'error')).toEqual([]);
  });

  it('keeps the default console logger quiet when everything goes well', async () => {
    stack = await startStack({
      redisUrl: redis().url,
      router: { keyPrefix: 'logging-quiet:', logger: undefined },
    });
    const spies = (['log', 'info', 'debug', 'warn', 'error'] as const).map((name) =>
      jest.spyOn(console, name).mockImplementation(() => {}),
    );
    const browser = new Browser();
    expect((await signIn(stack, browser, { email: 'quiet@example.test' })).status).toBe(200);
    expect(
      (await browser.request(stack.url('/me'), { headers: { accept: 'application/json' } })).status,
    ).toBe(200);
    for (const spy of spies) expect(spy).not.toHaveBeenCalled();
  });
});
