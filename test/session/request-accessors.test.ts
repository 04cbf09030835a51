import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from '@jest/globals';
import express, { type Express } from 'express';
import session from 'express-session';
import { OAuthRequest } from '../../src/index.js';
import { Browser } from '../helpers/browser.js';
import { useRedis, useStack } from '../helpers/lifecycle.js';
import { signIn } from '../helpers/stack.js';

// `req.session` and `req.oauth` are accessors on Express's shared request prototype, built on first read. These
// tests hold that they still act as plain request properties wherever the router did not run.
const redis = useRedis();
const stack = useStack(() => ({
  redisUrl: redis().url,
  routes: (app) => {
    app.get('/oauth-object', (req, res) => {
      const first = req.oauth;
      res.json({
        isOAuthRequest: first instanceof OAuthRequest,
        sameOnEveryRead: first === req.oauth,
        loginUrl: first.loginUrl('dev', '/back'),
      });
    });
  },
}));

async function serve(app: Express): Promise<{ url: string; close(): Promise<void> }> {
  const server = createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

describe('request accessors', () => {
  it('gives a request that passed through the router one req.oauth, built on first read', async () => {
    const browser = new Browser();
    await signIn(stack(), browser);
    const res = await browser.request(stack().url('/oauth-object'));
    expect(await res.json()).toEqual({
      isOAuthRequest: true,
      sameOnEveryRead: true,
      loginUrl: '/auth/dev/login?returnTo=%2Fback',
    });
  });

  it('leaves req.oauth and req.session plain, assignable properties in an app without the router', async () => {
    // The stack above already put the accessors on the shared prototype: this app inherits them.
    const plain = express();
    plain.get('/', (req, res) => {
      const before = { oauth: req.oauth ?? null, session: req.session ?? null };
      (req as { oauth: unknown }).oauth = 'app value';
      (req as { session: unknown }).session = { mine: true };
      res.json({ before, after: { oauth: req.oauth, session: req.session } });
    });
    const server = await serve(plain);
    try {
      const res = await fetch(`${server.url}/`);
      expect(await res.json()).toEqual({
        before: { oauth: null, session: null },
        after: { oauth: 'app value', session: { mine: true } },
      });
    } finally {
      await server.close();
    }
  });

  it('lets express-session run its own sessions in another app of the same process', async () => {
    const other = express();
    other.use(session({ secret: 'another-app-secret-0123456789', resave: false, saveUninitialized: false }));
    other.get('/count', (req, res) => {
      req.session.visits = (req.session.visits ?? 0) + 1;
      res.json({ visits: req.session.visits });
    });
    const server = await serve(other);
    try {
      const first = await fetch(`${server.url}/count`);
      const cookie = first.headers.getSetCookie()[0]?.split(';')[0] ?? '';
      expect(await first.json()).toEqual({ visits: 1 });
      const second = await fetch(`${server.url}/count`, { headers: { cookie } });
      expect(await second.json()).toEqual({ visits: 2 });
    } finally {
      await server.close();
    }
  });
});
