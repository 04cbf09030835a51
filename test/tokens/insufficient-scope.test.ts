import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { InsufficientScopeError } from '../../src/index.js';
import { Browser } from '../helpers/browser.js';
import { useRedis } from '../helpers/lifecycle.js';
import { CLIENT_SECRET, type Stack, signIn, startStack } from '../helpers/stack.js';
import { newKey } from '../helpers/vault.js';

// A resource server answering 403 the ways real providers do (RFC 6750 §3.1; GitHub's scope headers, which it
// sends on every answer, rate limits included; Google's JSON error details), and 403s that are not about scopes.
const answers: Record<string, { headers: Record<string, string>; body: string }> = {
  '/rfc6750': {
    headers: { 'www-authenticate': 'Bearer realm="api", error="insufficient_scope", scope="repo admin:org"' },
    body: '',
  },
  '/github': {
    headers: { 'x-accepted-oauth-scopes': 'repo, public_repo', 'x-oauth-scopes': 'read:user, user:email' },
    body: '{"message":"Resource not accessible by integration"}',
  },
  '/github-rate-limited': {
    headers: {
      'x-accepted-oauth-scopes': 'read:user',
      'x-oauth-scopes': 'read:user',
      'x-ratelimit-remaining': '0',
    },
    body: '{"message":"API rate limit exceeded"}',
  },
  '/google': {
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      error: {
        code: 403,
        status: 'PERMISSION_DENIED',
        details: [
          { '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'ACCESS_TOKEN_SCOPE_INSUFFICIENT' },
        ],
      },
    }),
  },
  '/forbidden': { headers: { 'content-type': 'application/json' }, body: '{"error":"forbidden"}' },
};

const redis = useRedis();
let api: Server;
let apiOrigin: string;
let stack: Stack;
let userId: string;

beforeAll(async () => {
  api = createServer((req, res) => {
    const answer = answers[req.url ?? ''];
    res.writeHead(answer ? 403 : 404, answer?.headers ?? {});
    res.end(answer?.body ?? '');
  });
  await new Promise<void>((resolve) => api.listen(0, '127.0.0.1', resolve));
  apiOrigin = `http://127.0.0.1:${(api.address() as AddressInfo).port}`;
  stack = await startStack({
    redisUrl: redis().url,
    providers: (issuer) => ({
      acme: { issuer, clientId: 'acme-app', clientSecret: CLIENT_SECRET, mode: 'integration' as const },
    }),
    router: { keyPrefix: 'scope:', tokenEncryption: { keys: { k1: newKey() }, current: 'k1' } },
  });
  const res = await signIn(stack, new Browser(), { email: 'scopes@example.test' });
  userId = ((await res.json()) as { user: { id: string } }).user.id;
});
afterAll(async () => {
  await stack.close();
  await new Promise((resolve) => api.close(resolve));
});

const call = (path: string) => stack.router.forUser(userId).fetch('acme', `${apiOrigin}${path}`);

describe('a provider API that refuses for a missing scope', () => {
  it('throws InsufficientScopeError with the scopes of an RFC 6750 challenge and a login URL asking for them', async () => {
    const err = await call('/rfc6750').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InsufficientScopeError);
    expect(err).toMatchObject({
      code: 'insufficient_scope',
      status: 403,
      provider: 'acme',
      missingScopes: ['repo', 'admin:org'],
      loginUrl: '/auth/acme/login?scope=repo%20admin%3Aorg',
    });
  });

  it("reads GitHub's accepted and granted scope headers", async () => {
    await expect(call('/github')).rejects.toMatchObject({ missingScopes: ['repo', 'public_repo'] });
  });

  it("recognises Google's ACCESS_TOKEN_SCOPE_INSUFFICIENT, which names no scope", async () => {
    await expect(call('/google')).rejects.toMatchObject({
      code: 'insufficient_scope',
      missingScopes: [],
      loginUrl: '/auth/acme/login',
    });
  });

  it('returns any other 403 as it came (a rate limit with every scope granted, a forbidden resource)', async () => {
    const limited = await call('/github-rate-limited');
    expect(limited.status).toBe(403);
    expect(await limited.json()).toEqual({ message: 'API rate limit exceeded' });
    const forbidden = await call('/forbidden');
    expect(forbidden.status).toBe(403);
    expect(await forbidden.json()).toEqual({ error: 'forbidden' });
  });
});
