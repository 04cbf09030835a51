import { describe, expect, it } from '@jest/globals';
import express from 'express';
import request from 'supertest';
import { oauthRouter, requireAuth } from '../../src/index.js';
import { TEST_SECRET } from '../helpers/stack.js';

// `app.use('/auth', oauthRouter(…))` is how other auth libraries are mounted. Here it cannot work (the session
// must reach every route), so the first request says how to mount it instead of answering a silent 404.
function app(mount: string | undefined, baseUrl = 'http://localhost:3000') {
  const logs: string[] = [];
  const router = oauthRouter({
    baseUrl,
    session: { secret: TEST_SECRET },
    providers: { acme: { issuer: 'http://127.0.0.1:9', clientId: 'id', clientSecret: 'secret' } },
    rateLimit: false,
    logger: { warn: () => {}, error: (m) => logs.push(m) },
  });
  const app = express();
  if (mount) app.use(mount, router);
  else app.use(router);
  app.get('/me', requireAuth(), (req, res) => {
    res.json(req.user);
  });
  return { app, logs, router };
}

describe("mounting under a path with app.use('/auth', …)", () => {
  it('answers 500 invalid_config and logs the fix once, instead of a silent 404', async () => {
    const { app: mounted, logs, router } = app('/auth');
    for (let i = 0; i < 2; i++) {
      const res = await request(mounted).get('/auth/acme/login');
      expect(res.status).toBe(500);
      expect(res.body).toEqual({ error: 'invalid_config', message: expect.any(String) });
    }
    expect(logs).toHaveLength(1);
    expect(logs[0]).toMatch(
      /mounted at '\/auth'.*mount it at the app's root instead, app\.use\(oauthRouter\(/,
    );
    await router.close();
  });

  it('names mountPath when mounted under another path', async () => {
    const { app: mounted, logs, router } = app('/login');
    expect((await request(mounted).get('/login/acme/login')).status).toBe(500);
    expect(logs[0]).toMatch(/or set mountPath: '\/login'/);
    await router.close();
  });

  it('works at the root, and under the path prefix of baseUrl', async () => {
    const root = app(undefined);
    expect((await request(root.app).get('/me').set('accept', 'application/json')).status).toBe(401);
    const outer = express();
    const prefixed = app(undefined, 'http://localhost:3000/app');
    outer.use('/app', prefixed.app);
    expect((await request(outer).get('/app/me').set('accept', 'application/json')).status).toBe(401);
    expect([...root.logs, ...prefixed.logs]).toEqual([]);
    await root.router.close();
    await prefixed.router.close();
  });
});
