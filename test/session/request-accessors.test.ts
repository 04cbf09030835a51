import { describe, expect, it } from '@jest/globals';
import express from 'express';
import session from 'express-session';
import request from 'supertest';
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
    const res = await request(plain).get('/');
    expect(res.body).toEqual({
      before: { oauth: null, session: null },
      after: { oauth: 'app value', session: { mine: true } },
    });
  });

  it('lets express-session run its own sessions in another app of the same process', async () => {
    const other = express();
    other.use(session({ secret: 'another-app-secret-0123456789', resave: false, saveUninitialized: false }));
    other.get('/count', (req, res) => {
      req.session.visits = (req.session.visits ?? 0) + 1;
      res.json({ visits: req.session.visits });
    });
    const first = await request(other).get('/count');
    const cookie = (first.headers['set-cookie'] as unknown as string[] | undefined)?.[0]?.split(';')[0] ?? '';
    expect(first.body).toEqual({ visits: 1 });
    const second = await request(other).get('/count').set('cookie', cookie);
    expect(second.body).toEqual({ visits: 2 });
  });
});
