import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  type OAuthRouterEventMap,
  PostgresTokenRepository,
  PostgresUserRepository,
  type UserSession,
} from '../../src/index.js';
import { meStatus, newAppSession, refresh } from '../helpers/app-session.js';
import { Browser } from '../helpers/browser.js';
import { useRedis, useStack } from '../helpers/lifecycle.js';
import { startPostgres, type TestPostgres } from '../helpers/postgres-server.js';
import { CLIENT_SECRET, type Stack, signIn, startStack } from '../helpers/stack.js';
import { newKey } from '../helpers/vault.js';

const APP = 'myapp://auth/callback';
const KEY = newKey();
const redis = useRedis();
let postgres: TestPostgres;
beforeAll(async () => {
  postgres = await startPostgres();
});
afterAll(async () => {
  await postgres.stop();
});

const options = (s: () => Stack | undefined) => ({
  redisUrl: redis().url,
  providers: (issuer: string) => ({
    acme: { issuer, clientId: 'acme-app', clientSecret: CLIENT_SECRET, mode: 'integration' as const },
    other: { issuer, clientId: 'acme-app', clientSecret: CLIENT_SECRET, mode: 'integration' as const },
  }),
  router: {
    tokenEncryption: { keys: { k1: KEY }, current: 'k1' },
    appCallbacks: { allowedRedirects: [APP] },
    userRepository: new PostgresUserRepository(postgres.pool),
    tokenRepository: new PostgresTokenRepository(postgres.pool),
    session: { secret: 'lifecycle-secret-'.repeat(3), recordIp: true },
    rateLimit: { windowSeconds: 60, max: 10_000 },
  },
  routes: (app: import('express').Express) => {
    app.get('/api/devices', async (req, res, next) => {
      try {
        res.json(await (s() as Stack).router.users.sessions(req.user?.id as string, req));
      } catch (err) {
        next(err);
      }
    });
  },
});
let current: Stack | undefined;
const stack = useStack(() => options(() => current));
beforeAll(() => {
  current = stack();
});

const json = { accept: 'application/json' };
type Listed = Omit<UserSession, 'createdAt' | 'expiresAt'> & { createdAt: string; expiresAt: string };

async function signedIn(email: string, provider = 'acme', browser = new Browser()) {
  const res = await signIn(stack(), browser, { email, provider });
  expect(res.status).toBe(200);
  const { user } = (await res.json()) as { user: { id: string } };
  return { browser, userId: user.id };
}
const me = async (browser: Browser) => (await browser.request(stack().url('/me'), { headers: json })).status;
async function devices(browser: Browser): Promise<Listed[]> {
  const res = await browser.request(stack().url('/api/devices'), { headers: json });
  expect(res.status).toBe(200);
  return (await res.json()) as Listed[];
}
const sessionCookie = (browser: Browser) =>
  `oauth.sid=${browser.cookie(new URL(stack().origin).host, 'oauth.sid') as string}`;
/** The session id inside the signed cookie (`s:<id>.<signature>`). */
const sessionId = (browser: Browser) =>
  decodeURIComponent(browser.cookie(new URL(stack().origin).host, 'oauth.sid') as string)
    .slice(2)
    .split('.')[0] as string;
const unique = (name: string) => `${name}-${Math.random().toString(36).slice(2)}@example.test`;

describe('a user sees their devices and signs them out', () => {
  it('lists browser and app sessions, newest first, marking the current one, without session ids', async () => {
    const email = unique('devices');
    const a = await signedIn(email);
    const b = await signedIn(email);
    expect(b.userId).toBe(a.userId);
    // Signing in again in the same browser replaces its session: the old one is gone, and not listed.
    await signedIn(email, 'acme', a.browser);
    const app = await newAppSession(stack(), APP);
    // The app signed in as another person: its session is not this user's.
    const listed = await devices(a.browser);
    expect(listed.map((d) => [d.kind, d.provider, d.current])).toEqual([
      ['browser', 'acme', true],
      ['browser', 'acme', false],
    ]);
    for (const device of listed) {
      expect(device.ip).toMatch(/127\.0\.0\.1$/);
      expect(Date.parse(device.expiresAt) - Date.parse(device.createdAt)).toBe(30 * 24 * 3600 * 1000);
      expect(JSON.stringify(device)).not.toContain(sessionId(a.browser));
    }
    expect(await meStatus(stack(), app.accessToken)).toBe(200);
  });

  it('ends one device on every instance, and only that one', async () => {
    const email = unique('one');
    const a = await signedIn(email);
    const b = await signedIn(email);
    // A second app instance on the same Redis and PostgreSQL.
    const other = await startStack({ ...options(() => other), sharedOp: stack().op });
    try {
      const onOther = () =>
        fetch(other.url('/me'), { headers: { ...json, cookie: sessionCookie(b.browser) } }).then(
          (r) => r.status,
        );
      expect(await onOther()).toBe(200);
      const target = (await devices(a.browser)).find((d) => !d.current) as Listed;
      expect(await stack().router.users.endSession(a.userId, target.id)).toBe(true);
      expect(await onOther()).toBe(401);
      expect(await me(b.browser)).toBe(401);
      expect(await me(a.browser)).toBe(200);
      expect((await devices(a.browser)).map((d) => d.current)).toEqual([true]);
      // Someone else's session id is not this user's to end.
      const stranger = await signedIn(unique('stranger'));
      const theirs = (await devices(stranger.browser))[0] as Listed;
      expect(await stack().router.users.endSession(a.userId, theirs.id)).toBe(false);
      expect(await me(stranger.browser)).toBe(200);
    } finally {
      await other.close();
    }
  });

  it('signs out everywhere: every browser and app session of the user, from POST /auth/logout?everywhere=true', async () => {
    const email = 'app@example.test';
    const app = await newAppSession(stack(), APP);
    const a = await signedIn(email);
    const b = await signedIn(email);
    const bystander = await signedIn(unique('bystander'));
    expect((await devices(a.browser)).filter((d) => d.kind === 'app').length).toBeGreaterThanOrEqual(1);
    const seen: OAuthRouterEventMap['sessionsEnded'][] = [];
    stack().router.events.on('sessionsEnded', (e) => seen.push(e));
    const res = await a.browser.request(stack().url('/auth/logout?everywhere=true'), {
      method: 'POST',
      headers: { ...json, origin: stack().origin },
    });
    expect(res.status).toBe(204);
    expect(await me(a.browser)).toBe(401);
    expect(await me(b.browser)).toBe(401);
    expect(await meStatus(stack(), app.accessToken)).toBe(401);
    expect((await refresh(stack(), app.refreshToken)).body).toMatchObject({ error: 'invalid_grant' });
    expect(await me(bystander.browser)).toBe(200);
    expect(seen).toEqual([{ userId: a.userId, count: expect.any(Number) }]);
    expect(seen[0]?.count).toBeGreaterThanOrEqual(3);
  });
});

describe('unlinking a provider', () => {
  it('revokes and deletes its tokens and removes the link; the user and the other provider stay', async () => {
    const email = unique('unlink');
    const { browser, userId } = await signedIn(email);
    await signedIn(email, 'other', browser);
    const users = new PostgresUserRepository(postgres.pool);
    const tokens = new PostgresTokenRepository(postgres.pool);
    const otherAccount = (await users.listAccounts(userId)).find((a) => a.provider === 'other');
    const accessToken = await stack().router.forUser(userId).token('other');
    const result = await stack().router.users.unlink(userId, 'other');
    expect(result).toEqual({ unlinked: [otherAccount], revoked: true });
    expect(await tokens.get(userId, 'other')).toBeNull();
    expect((await users.listAccounts(userId)).map((a) => a.provider)).toEqual(['acme']);
    // Revoked at the provider: its UserInfo refuses the old access token.
    const info = await fetch(`${stack().op.issuer}/me`, {
      headers: { authorization: `Bearer ${accessToken}` },
    });
    expect(info.status).toBe(401);
    expect(await me(browser)).toBe(200);
    expect(await tokens.get(userId, 'acme')).not.toBeNull();
  });

  it('refuses to unlink the last sign-in method unless asked, and then leaves nothing of the link', async () => {
    const { userId } = await signedIn(unique('last'));
    await expect(stack().router.users.unlink(userId, 'acme')).rejects.toMatchObject({
      code: 'last_sign_in_method',
      status: 409,
    });
    const users = new PostgresUserRepository(postgres.pool);
    expect(await users.listAccounts(userId)).toHaveLength(1);
    await stack().router.users.unlink(userId, 'acme', { allowLast: true });
    expect(await users.listAccounts(userId)).toEqual([]);
    await expect(stack().router.users.unlink(userId, 'acme')).rejects.toMatchObject({
      code: 'not_connected',
    });
  });
});

describe('deleting a user', () => {
  it('leaves nothing of theirs in Redis or PostgreSQL, and others untouched', async () => {
    const email = 'app@example.test';
    const { browser, userId } = await signedIn(email);
    await signedIn(email, 'other', browser);
    await signedIn(email);
    const app = await newAppSession(stack(), APP);
    const bystander = await signedIn(unique('kept'));
    const users = new PostgresUserRepository(postgres.pool);
    const subjects = (await users.listAccounts(userId)).map((a) => a.providerAccountId);
    expect(subjects.length).toBeGreaterThan(0);
    const accessToken = await stack().router.forUser(userId).token('acme');

    const result = await stack().router.users.delete(userId);
    expect(result.connectionsRemoved).toBe(2);
    expect(result.sessionsEnded).toBeGreaterThanOrEqual(3);

    const needles = [userId, email, ...subjects];
    for (const found of await redisValues()) {
      for (const needle of needles) expect(found).not.toContain(needle);
    }
    const { rows } = await postgres.pool.query(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'`,
    );
    expect(rows.length).toBeGreaterThanOrEqual(4);
    for (const { table_name } of rows as { table_name: string }[]) {
      const dump = await postgres.pool.query(`SELECT t::text AS row FROM ${table_name} t`);
      for (const { row } of dump.rows as { row: string }[]) {
        for (const needle of needles) expect(`${table_name}: ${row}`).not.toContain(needle);
      }
    }
    expect(await me(browser)).toBe(401);
    expect(await meStatus(stack(), app.accessToken)).toBe(401);
    const info = await fetch(`${stack().op.issuer}/me`, {
      headers: { authorization: `Bearer ${accessToken}` },
    });
    expect(info.status).toBe(401);
    expect(await me(bystander.browser)).toBe(200);
    // Signing in again is a new user.
    const again = await signedIn(email);
    expect(again.userId).not.toBe(userId);
  });
});

async function redisValues(): Promise<string[]> {
  const client = redis().client();
  const found: string[] = [];
  for (const key of await client.keys('*')) {
    found.push(key);
    const type = await client.type(key);
    if (type === 'string') found.push((await client.get(key)) ?? '');
    else if (type === 'hash') found.push(...Object.entries(await client.hgetall(key)).flat());
    else if (type === 'set') found.push(...(await client.smembers(key)));
    else if (type === 'list') found.push(...(await client.lrange(key, 0, -1)));
    else throw new Error(`the scan does not read Redis ${type} values (${key})`);
  }
  return found;
}
