import { describe, expect, it } from '@jest/globals';
import type { Response as TestResponse } from 'supertest';
import { Browser } from '../helpers/browser.js';
import { useRedis, useStack } from '../helpers/lifecycle.js';
import { startRedis } from '../helpers/redis-server.js';
import { requestApp } from '../helpers/request-app.js';
import { authorize, CLIENT_SECRET, sendCallback, signIn, startStack, TEST_SECRET } from '../helpers/stack.js';
import { poll } from '../helpers/wait-for.js';

const redis = useRedis();
const stack = useStack(() => ({ redisUrl: redis().url }));

const SECRETS = [CLIENT_SECRET, TEST_SECRET];

async function expectCleanError(res: Response | TestResponse, status: number, code: string): Promise<void> {
  expect(res.status).toBe(status);
  const text = typeof res.text === 'string' ? res.text : await res.text();
  expect(JSON.parse(text)).toEqual({ error: code, message: expect.any(String) });
  expect(text).not.toMatch(/\bat .+:\d+:\d+|Error:|node_modules/);
  for (const secret of SECRETS) expect(text).not.toContain(secret);
}

describe('bad input gets a typed error, no stack(), no secret', () => {
  it('answers repeated callback parameters with invalid_request', async () => {
    const browser = new Browser();
    const response = await authorize(stack(), browser);
    response.url.searchParams.append('code', 'second-code');
    await expectCleanError(await sendCallback(browser, response), 400, 'invalid_request');
  });

  it('answers a provider-side token failure with provider_error and keeps the detail in the log only', async () => {
    const browser = new Browser();
    const response = await authorize(stack(), browser);
    response.url.searchParams.set('code', 'not-a-real-code');
    await expectCleanError(await sendCallback(browser, response), 502, 'provider_error');
    const logged = JSON.stringify(stack().logs);
    expect(logged).toContain('invalid_grant');
    for (const secret of SECRETS) expect(logged).not.toContain(secret);
  });

  it('answers an oversized or malformed form_post body with invalid_request, never 500', async () => {
    const big = await requestApp(stack())
      .post('/auth/acme/callback')
      .set('content-type', 'application/x-www-form-urlencoded')
      .send(`state=${'a'.repeat(64 * 1024)}`);
    await expectCleanError(big, 413, 'invalid_request');
    const many = await requestApp(stack())
      .post('/auth/acme/callback')
      .set('content-type', 'application/x-www-form-urlencoded')
      .send(Array.from({ length: 50 }, (_, i) => `p${i}=1`).join('&'));
    await expectCleanError(many, 413, 'invalid_request');
  });

  it('never puts tokens or the authorization code in the session or user JSON', async () => {
    const browser = new Browser();
    const response = await authorize(stack(), browser);
    const res = await sendCallback(browser, response);
    const text = await res.text();
    expect(text).not.toContain(response.url.searchParams.get('code') as string);
    const client = redis().client();
    const keys = await client.keys('oar:sess:*');
    for (const key of keys) {
      const value = (await client.get(key)) as string;
      expect(value).not.toMatch(/access_token|refresh_token|id_token|eyJ/);
    }
  });

  it('keeps serving after a failed sign-in', async () => {
    expect((await signIn(stack(), new Browser())).status).toBe(200);
  });
});

describe('graceful shutdown', () => {
  it('lets a request in flight finish, then closes the Redis connection it opened', async () => {
    const own = await startRedis();
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    let arrived: () => void = () => {};
    const inFlight = new Promise<void>((resolve) => {
      arrived = resolve;
    });
    const local = await startStack({
      redisUrl: own.url,
      routes: (app) => {
        app.get('/slow', async (req, res) => {
          arrived();
          await gate;
          // Still needs Redis after close() was called.
          req.session.visits = 1;
          await new Promise<void>((resolve, reject) =>
            req.session.save((err) => (err ? reject(err) : resolve())),
          );
          res.json({ ok: true });
        });
      },
    });
    try {
      // Sent now (then() starts it), and in flight once the app holds it: not after a guessed delay.
      const slow = requestApp(local)
        .get('/slow')
        .then((res) => res);
      await inFlight;
      let closed = false;
      const closing = local.router.close().then(() => {
        closed = true;
      });
      await new Promise((r) => setTimeout(r, 50));
      expect(closed).toBe(false);
      release();
      expect((await slow).status).toBe(200);
      await closing;
      expect(closed).toBe(true);
      // The router's connection is gone: a login cannot store its pending state and fails closed.
      expect((await requestApp(local).get('/auth/acme/login')).status).toBe(503);
    } finally {
      await local.close();
      await own.stop();
    }
  });
});

describe('store outage fails closed', () => {
  it('answers 503 store_unavailable while Redis is down and recovers when it returns', async () => {
    const own = await startRedis();
    const local = await startStack({ redisUrl: own.url });
    try {
      const browser = new Browser();
      await signIn(local, browser);
      const pendingBrowser = new Browser();
      const pending = { browser: pendingBrowser, response: await authorize(local, pendingBrowser) };
      await own.kill();
      const me = await browser.request(local.url('/me'), { headers: { accept: 'application/json' } });
      await expectCleanError(me, 503, 'store_unavailable');
      const login = await browser.request(local.url('/auth/acme/login'));
      await expectCleanError(login, 503, 'store_unavailable');
      // A callback whose pending login was stored before the outage: fails closed too, and does not hang.
      const started = Date.now();
      await expectCleanError(await sendCallback(pending.browser, pending.response), 503, 'store_unavailable');
      expect(Date.now() - started).toBeLessThan(5_000);
      await own.restart();
      // Redis restarted empty (no persistence): the session is gone, so the answer is a clean 401, then sign-in works.
      // ioredis reconnects with a backoff of up to 2 s: poll for it, generously.
      const status = await poll(
        async () =>
          (await browser.request(local.url('/me'), { headers: { accept: 'application/json' } })).status,
        (s) => s === 401,
      );
      expect(status).toBe(401);
      expect((await signIn(local, new Browser())).status).toBe(200);
    } finally {
      await local.close();
      await own.stop();
    }
  });
});
