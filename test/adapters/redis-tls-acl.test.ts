// Redis as managed services run it: TLS (a throwaway CA made here with openssl) and an ACL user holding exactly
// the rule docs/operations.md gives, read from that file so the two cannot drift apart.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import express from 'express';
import { Redis } from 'ioredis';
import request from 'supertest';
import { diagnose } from '../../src/cli/doctor.js';
import { oauthRouter, RedisTokenRepository } from '../../src/index.js';
import { newAppSession, refresh } from '../helpers/app-session.js';
import { Browser } from '../helpers/browser.js';
import { freePort } from '../helpers/free-port.js';
import { useStack } from '../helpers/lifecycle.js';
import { spawnRedisOnFreePort } from '../helpers/redis-server.js';
import { CLIENT_SECRET, signIn, TEST_SECRET } from '../helpers/stack.js';
import { expireConnection, newKey, vaultRoutes } from '../helpers/vault.js';
import { startWorker } from '../helpers/workers.js';

const APP = 'myapp://auth/callback';
const PASSWORD = randomBytes(24).toString('hex');
const dir = mkdtempSync(join(tmpdir(), 'oar-tls-'));
let plainPort = 0;
let tlsPort = 0;
let stopRedis: () => void = () => {};
let admin: Redis;
const clients: Redis[] = [];

/** The ACL rule of docs/operations.md, with its placeholder password replaced. */
function documentedRule(user: string, password: string): string[] {
  const doc = readFileSync(new URL('../../docs/operations.md', import.meta.url), 'utf8');
  const line = /^ACL SETUSER oar-app (.+)$/m.exec(doc)?.[1];
  if (!line) throw new Error('docs/operations.md has no ACL SETUSER oar-app line');
  return [user, ...line.replace('>REPLACE-WITH-A-LONG-RANDOM-PASSWORD', `>${password}`).split(' ')];
}

function openssl(...args: string[]) {
  const result = spawnSync('openssl', args, { cwd: dir, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`openssl ${args[0]} failed: ${result.stderr}`);
}

beforeAll(async () => {
  openssl(
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    'ca.key',
    '-out',
    'ca.crt',
    '-days',
    '1',
    '-subj',
    '/CN=oar test CA',
  );
  openssl(
    'req',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    'server.key',
    '-out',
    'server.csr',
    '-subj',
    '/CN=127.0.0.1',
  );
  writeFileSync(join(dir, 'san.ext'), 'subjectAltName=IP:127.0.0.1\n');
  openssl(
    'x509',
    '-req',
    '-in',
    'server.csr',
    '-CA',
    'ca.crt',
    '-CAkey',
    'ca.key',
    '-CAcreateserial',
    '-out',
    'server.crt',
    '-days',
    '1',
    '-extfile',
    'san.ext',
  );
  const started = await spawnRedisOnFreePort(async (port) => {
    tlsPort = await freePort();
    return [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'no',
      '--loglevel',
      'warning',
      '--tls-port',
      String(tlsPort),
      '--tls-cert-file',
      join(dir, 'server.crt'),
      '--tls-key-file',
      join(dir, 'server.key'),
      '--tls-ca-cert-file',
      join(dir, 'ca.crt'),
      '--tls-auth-clients',
      'no',
    ];
  });
  plainPort = started.port;
  stopRedis = () => started.child.kill('SIGKILL');
  admin = new Redis(plainPort, '127.0.0.1');
  await admin.call('ACL', 'SETUSER', ...documentedRule('oar-app', PASSWORD));
  // The same rule without GETDEL (the single-use take of a pending login) and without SET.
  const limited = documentedRule('oar-limited', PASSWORD).filter((t) => t !== '+getdel' && t !== '+set');
  await admin.call('ACL', 'SETUSER', ...limited);
});
afterAll(async () => {
  for (const c of clients) c.disconnect();
  admin?.disconnect();
  stopRedis();
  rmSync(dir, { recursive: true, force: true });
});

function tlsClient(username: string, password: string): Redis {
  const client = new Redis({
    host: '127.0.0.1',
    port: tlsPort,
    username,
    password,
    tls: { ca: readFileSync(join(dir, 'ca.crt')) },
    maxRetriesPerRequest: 1,
    commandTimeout: 2_000,
  });
  client.on('error', () => {});
  clients.push(client);
  return client;
}

let opIssuer = '';
const stack = useStack(() => ({
  providers: (issuer) => {
    opIssuer = issuer;
    return {
      acme: { issuer, clientId: 'acme-app', clientSecret: CLIENT_SECRET, mode: 'integration' as const },
    };
  },
  router: {
    redis: tlsClient('oar-app', PASSWORD),
    tokenEncryption: { keys: { k1: newKey() }, current: 'k1' },
    appCallbacks: { allowedRedirects: [APP] },
  },
  routes: vaultRoutes(() => `${opIssuer}/me`),
}));
const json = { accept: 'application/json' };

describe('Redis over TLS as an ACL user with the documented rule', () => {
  it('signs in, serves, refreshes, runs app sessions and signs out with nothing refused', async () => {
    const browser = new Browser();
    const res = await signIn(stack(), browser, { email: 'tls@example.test' });
    expect(res.status).toBe(200);
    const { user } = (await res.json()) as { user: { id: string } };
    expect((await browser.request(stack().url('/me'), { headers: json })).status).toBe(200);
    await expireConnection(new RedisTokenRepository(admin, 'oar:'), user.id);
    expect((await browser.request(stack().url('/api/profile'), { headers: json })).status).toBe(200);
    expect(await stack().router.users.sessions(user.id)).toHaveLength(1);
    const app = await newAppSession(stack(), APP);
    expect((await refresh(stack(), app.refreshToken)).status).toBe(200);
    const out = await browser.request(stack().url('/auth/logout?everywhere=true'), {
      method: 'POST',
      headers: { ...json, origin: stack().origin },
    });
    expect(out.status).toBe(204);
    expect(stack().logs.filter((l) => /NOPERM|WRONGPASS|refused/.test(l.message))).toEqual([]);
    // Everything it wrote is under the prefix the rule allows.
    expect((await admin.keys('*')).filter((k) => !k.startsWith('oar:'))).toEqual([]);
  });

  it('works from a rediss:// URL with the CA given to Node (NODE_EXTRA_CA_CERTS)', async () => {
    const before = (await admin.keys('oar:flow:*')).length;
    const worker = await startWorker(
      {
        redisUrl: `rediss://oar-app:${PASSWORD}@127.0.0.1:${tlsPort}`,
        issuer: stack().op.issuer,
        baseUrl: 'http://127.0.0.1:1',
        key: newKey(),
        secret: TEST_SECRET,
        clientSecret: CLIENT_SECRET,
      },
      { NODE_EXTRA_CA_CERTS: join(dir, 'ca.crt') },
    );
    try {
      const res = await fetch(`http://127.0.0.1:${worker.port}/auth/acme/login`, { redirect: 'manual' });
      expect(res.status).toBe(302);
      expect((await admin.keys('oar:flow:*')).length).toBe(before + 1);
    } finally {
      await worker.stop();
    }
  });
});

describe('a Redis user that may not do what the library needs', () => {
  const appWith = (redis: Redis) => {
    const logged: string[] = [];
    const app = express();
    app.use(
      oauthRouter({
        baseUrl: 'http://127.0.0.1:1',
        redis,
        session: { secret: TEST_SECRET },
        providers: { acme: { issuer: stack().op.issuer, clientId: 'acme-app', clientSecret: CLIENT_SECRET } },
        logger: {
          warn: (m, d) => logged.push(`${m} ${JSON.stringify(d ?? {})}`),
          error: (m, d) => logged.push(`${m} ${JSON.stringify(d ?? {})}`),
        },
      }),
    );
    return { app, logged };
  };

  it('answers 500 invalid_config naming the refused command, not a 503 to retry forever', async () => {
    const { app, logged } = appWith(tlsClient('oar-limited', PASSWORD));
    const res = await request(app).get('/auth/acme/login').set(json);
    expect(res.status).toBe(500);
    expect(res.body).toEqual({ error: 'invalid_config', message: 'The server is misconfigured.' });
    expect(logged.join('\n')).toMatch(
      /Redis refused a command: .*(can't run this command|no permissions).*docs\/operations\.md/s,
    );
  });

  it('answers 500 invalid_config for a wrong password, without the password in the log', async () => {
    const wrong = `wrong-${randomBytes(8).toString('hex')}`;
    const { app, logged } = appWith(tlsClient('oar-app', wrong));
    const res = await request(app).get('/auth/acme/login').set(json);
    expect(res.status).toBe(500);
    expect(res.body).toMatchObject({ error: 'invalid_config' });
    expect(logged.join('\n')).toMatch(/WRONGPASS.*check the user name and password/);
    expect(logged.join('\n')).not.toContain(wrong);
    expect(logged.join('\n')).not.toContain(PASSWORD);
  });

  it('doctor names every command the user may not run, with the fix', async () => {
    const findings = await diagnose(
      {
        baseUrl: 'http://localhost:3000',
        redis: `redis://oar-limited:${PASSWORD}@127.0.0.1:${plainPort}`,
        session: { secret: TEST_SECRET },
        providers: { acme: { issuer: stack().op.issuer, clientId: 'acme-app', clientSecret: CLIENT_SECRET } },
      },
      {},
    );
    expect(findings).toContainEqual({
      level: 'fail',
      subject: 'redis',
      message:
        'the Redis user may not run SET, GETDEL on oar:* keys (NOPERM): grant the ACL rule in docs/operations.md',
    });
    const allowed = await diagnose(
      {
        baseUrl: 'http://localhost:3000',
        redis: `redis://oar-app:${PASSWORD}@127.0.0.1:${plainPort}`,
        session: { secret: TEST_SECRET },
        providers: { acme: { issuer: stack().op.issuer, clientId: 'acme-app', clientSecret: CLIENT_SECRET } },
      },
      {},
    );
    expect(allowed).toContainEqual({
      level: 'ok',
      subject: 'redis',
      message: 'the user may run every command the library uses on oar:* keys',
    });
  });
});
