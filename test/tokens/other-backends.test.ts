import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type Keyring, parseKeyring } from '../../src/config/keyring.js';
import { MemoryTokenRepository, PostgresTokenRepository } from '../../src/index.js';
import type { ConnectionRecord } from '../../src/tokens/types.js';
import { Browser } from '../helpers/browser.js';
import { useRedis } from '../helpers/lifecycle.js';
import { startPostgres, type TestPostgres } from '../helpers/postgres-server.js';
import { CLIENT_SECRET, type Stack, signIn, startStack } from '../helpers/stack.js';
import { expireConnection, newKey, unseal, vaultRoutes } from '../helpers/vault.js';

const KEY = newKey();
const json = { accept: 'application/json' };
const integration = (issuer: string) => ({
  acme: { issuer, clientId: 'acme-app', clientSecret: CLIENT_SECRET, mode: 'integration' as const },
});

async function concurrentAfterExpiry(stack: Stack, repo: MemoryTokenRepository | PostgresTokenRepository) {
  const browser = new Browser();
  const { user } = (await (await signIn(stack, browser)).json()) as { user: { id: string } };
  await expireConnection(repo, user.id);
  const before = stack.op.tokenRequests.get('refresh_token') ?? 0;
  const results = await Promise.all(
    Array.from({ length: 30 }, () => browser.request(stack.url('/api/profile'), { headers: json })),
  );
  expect(results.map((r) => r.status)).toEqual(Array(30).fill(200));
  expect(stack.op.tokenRequests.get('refresh_token')).toBe(before + 1);
  return user.id;
}

describe('in-memory configuration (no Redis)', () => {
  it('coalesces concurrent refreshes in the process into one', async () => {
    const repo = new MemoryTokenRepository();
    let issuer = '';
    const stack = await startStack({
      providers: (i) => {
        issuer = i;
        return integration(i);
      },
      router: { tokenEncryption: { keys: { k1: KEY }, current: 'k1' }, tokenRepository: repo },
      op: { configuration: { rotateRefreshToken: true } },
      routes: vaultRoutes(() => `${issuer}/me`),
    });
    try {
      await concurrentAfterExpiry(stack, repo);
    } finally {
      await stack.close();
    }
  });
});

describe('sign-in mode', () => {
  it('keeps the profile only: no tokens are stored', async () => {
    const repo = new MemoryTokenRepository();
    const stack = await startStack({
      providers: (issuer) => ({ acme: { issuer, clientId: 'acme-app', clientSecret: CLIENT_SECRET } }),
      router: { tokenEncryption: { keys: { k1: KEY }, current: 'k1' }, tokenRepository: repo },
    });
    try {
      const res = await signIn(stack, new Browser());
      const { user } = (await res.json()) as { user: { id: string } };
      expect(await repo.listByUser(user.id)).toEqual([]);
    } finally {
      await stack.close();
    }
  });
});

describe('real access-token expiry at the provider', () => {
  // Short, but long enough that the first API call (right after sign-in) lands before it on a busy machine.
  const ACCESS_TOKEN_TTL = 5;
  it('refreshes before calling the API once the short-lived token has expired (no 401 round trip)', async () => {
    let issuer = '';
    const repo = new MemoryTokenRepository();
    const stack = await startStack({
      providers: (i) => {
        issuer = i;
        return integration(i);
      },
      router: {
        tokenEncryption: { keys: { k1: KEY }, current: 'k1' },
        tokenRepository: repo,
        refresh: { skewSeconds: 0 },
      },
      op: { accessTokenTtlSeconds: ACCESS_TOKEN_TTL, configuration: { rotateRefreshToken: true } },
      routes: vaultRoutes(() => `${issuer}/me`),
    });
    try {
      const browser = new Browser();
      const { user } = (await (await signIn(stack, browser)).json()) as { user: { id: string } };
      const apiCalls: string[] = [];
      stack.op.intercept = (req) => {
        if (req.url === '/me') apiCalls.push(req.headers.authorization ?? '');
        return false;
      };
      expect((await browser.request(stack.url('/api/profile'), { headers: json })).status).toBe(200);
      expect(stack.op.tokenRequests.get('refresh_token') ?? 0).toBe(0);
      // Let the provider's short-lived access token really expire: wait until the expiry the app recorded (taken
      // when the token response arrived, so never before the provider's own) has passed, plus a margin.
      const { expiresAt } = (await repo.get(user.id, 'acme')) as ConnectionRecord;
      await new Promise((r) => setTimeout(r, Math.max(0, (expiresAt as number) - Date.now()) + 200));
      expect((await browser.request(stack.url('/api/profile'), { headers: json })).status).toBe(200);
      expect(stack.op.tokenRequests.get('refresh_token')).toBe(1);
      expect(apiCalls).toHaveLength(2);
      expect(apiCalls[1]).not.toBe(apiCalls[0]);
    } finally {
      await stack.close();
    }
  });
});

describe('PostgreSQL token repository', () => {
  const redis = useRedis();
  let postgres: TestPostgres;
  let stack: Stack;
  let repo: PostgresTokenRepository;
  beforeAll(async () => {
    postgres = await startPostgres();
    repo = new PostgresTokenRepository(postgres.pool);
    let issuer = '';
    stack = await startStack({
      redisUrl: redis().url,
      providers: (i) => {
        issuer = i;
        return integration(i);
      },
      router: { tokenEncryption: { keys: { k1: KEY }, current: 'k1' }, tokenRepository: repo },
      op: { configuration: { rotateRefreshToken: true } },
      routes: vaultRoutes(() => `${issuer}/me`),
    });
  });
  afterAll(async () => {
    await stack.close();
    await postgres.stop();
  });

  it('refreshes once for concurrent calls and keeps only sealed tokens in the table', async () => {
    const userId = await concurrentAfterExpiry(stack, repo);
    const record = (await repo.get(userId, 'acme')) as ConnectionRecord;
    const tokens = unseal(parseKeyring({ keys: { k1: KEY }, current: 'k1' }, 'k', []) as Keyring, record);
    // Scan every column of every row as text for the plaintext tokens.
    const { rows } = await postgres.pool.query('SELECT row_to_json(c)::text AS row FROM oauth_connections c');
    expect(rows.length).toBeGreaterThan(0);
    for (const { row } of rows as { row: string }[]) {
      expect(row).not.toContain(tokens.accessToken);
      expect(row).not.toContain(tokens.refreshToken as string);
    }
  });
});
