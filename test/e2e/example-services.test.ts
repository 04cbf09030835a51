import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type ExampleApp, startExampleApp } from '../../example-app/app.js';
import { Browser } from '../helpers/browser.js';
import { useRedis } from '../helpers/lifecycle.js';
import { startPostgres, type TestPostgres } from '../helpers/postgres-server.js';
import { signIn } from '../helpers/stack.js';

const redis = useRedis();
let postgres: TestPostgres;
let app: ExampleApp;
beforeAll(async () => {
  postgres = await startPostgres();
  app = await startExampleApp({
    port: 0,
    redisUrl: redis().url,
    databaseUrl: postgres.url,
    // 0: the OS picks the port as it binds; a port from freePort() could be taken before the provider listens.
    devProvider: { port: 0 },
    log: () => {},
  });
});
afterAll(async () => {
  await app.close();
  await postgres.stop();
});

describe('the example app with REDIS_URL and DATABASE_URL', () => {
  it('keeps sessions in Redis and users and tokens in PostgreSQL', async () => {
    const site = {
      url: (path: string) => `${app.url}${path}`,
      mountPath: '/auth',
      origin: new URL(app.url).origin,
    };
    const res = await signIn(site, new Browser(), { provider: 'dev', email: 'pg@example.test' });
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe('/');
    const users = await postgres.pool.query('SELECT email FROM oauth_users');
    expect(users.rows).toEqual([{ email: 'pg@example.test' }]);
    const connections = await postgres.pool.query('SELECT provider, status FROM oauth_connections');
    expect(connections.rows).toEqual([{ provider: 'dev', status: 'active' }]);
    expect((await redis().client().keys('oar:sess:*')).length).toBe(1);
  });
});
