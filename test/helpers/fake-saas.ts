/**
 * A small plain OAuth 2.0 provider of the kind many SaaS APIs are: an authorization endpoint, a token endpoint
 * (authorization_code and refresh_token grants, RFC 6749 §4.1 and §6, refresh tokens rotated, form bodies, client
 * secret by Basic or in the body) and an API that takes the bearer token, and no profile or UserInfo endpoint.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readBody } from './read-body.js';

export interface FakeSaas {
  origin: string;
  /** Token requests by grant_type. */
  tokenRequests: Map<string, number>;
  /** Access token lifetime in seconds for the next grants. */
  expiresIn: number;
  close(): Promise<void>;
}

interface Grant {
  account: string;
  scope: string;
}

export async function startFakeSaas(clientId: string, clientSecret: string): Promise<FakeSaas> {
  const codes = new Map<string, Grant & { redirectUri: string; challenge: string | null }>();
  const accessTokens = new Map<string, Grant>();
  const refreshTokens = new Map<string, Grant>();
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const fake: FakeSaas = {
    origin,
    tokenRequests: new Map(),
    expiresIn: 3600,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
  let accounts = 0;
  const json = (res: ServerResponse, status: number, body: unknown) =>
    res
      .writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' })
      .end(JSON.stringify(body));
  const issue = (res: ServerResponse, grant: Grant) => {
    const access = `at_${randomBytes(16).toString('hex')}`;
    const refresh = `rt_${randomBytes(16).toString('hex')}`;
    accessTokens.set(access, grant);
    refreshTokens.set(refresh, grant);
    json(res, 200, {
      access_token: access,
      token_type: 'Bearer',
      expires_in: fake.expiresIn,
      refresh_token: refresh,
      scope: grant.scope,
    });
  };
  server.on('request', async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', origin);
    if (req.method === 'GET' && url.pathname === '/oauth/authorize') {
      if (url.searchParams.get('client_id') !== clientId || url.searchParams.get('response_type') !== 'code')
        return json(res, 400, { error: 'invalid_request' });
      const code = randomBytes(10).toString('hex');
      accounts += 1;
      codes.set(code, {
        account: `workspace-${accounts}`,
        scope: url.searchParams.get('scope') ?? '',
        redirectUri: url.searchParams.get('redirect_uri') ?? '',
        challenge: url.searchParams.get('code_challenge'),
      });
      const back = new URL(url.searchParams.get('redirect_uri') ?? '');
      back.searchParams.set('code', code);
      back.searchParams.set('state', url.searchParams.get('state') ?? '');
      res.writeHead(302, { location: back.href }).end();
      return;
    }
    if (req.method === 'POST' && url.pathname === '/oauth/token') {
      const form = new URLSearchParams(await readBody(req));
      const basic = req.headers.authorization?.startsWith('Basic ')
        ? Buffer.from(req.headers.authorization.slice(6), 'base64')
            .toString()
            .split(':')
            .map(decodeURIComponent)
        : [];
      if (
        (form.get('client_id') ?? basic[0]) !== clientId ||
        (form.get('client_secret') ?? basic[1]) !== clientSecret
      )
        return json(res, 401, { error: 'invalid_client' });
      const grantType = form.get('grant_type') ?? '';
      fake.tokenRequests.set(grantType, (fake.tokenRequests.get(grantType) ?? 0) + 1);
      if (grantType === 'authorization_code') {
        const grant = codes.get(form.get('code') ?? '');
        codes.delete(form.get('code') ?? '');
        if (!grant || grant.redirectUri !== form.get('redirect_uri'))
          return json(res, 400, { error: 'invalid_grant' });
        const verifier = form.get('code_verifier') ?? '';
        if (
          grant.challenge !== null &&
          createHash('sha256').update(verifier).digest('base64url') !== grant.challenge
        )
          return json(res, 400, { error: 'invalid_grant' });
        return issue(res, { account: grant.account, scope: grant.scope });
      }
      if (grantType === 'refresh_token') {
        const grant = refreshTokens.get(form.get('refresh_token') ?? '');
        if (!grant) return json(res, 400, { error: 'invalid_grant' });
        refreshTokens.delete(form.get('refresh_token') ?? '');
        return issue(res, grant);
      }
      return json(res, 400, { error: 'unsupported_grant_type' });
    }
    if (req.method === 'GET' && url.pathname === '/api/workspace') {
      const grant = accessTokens.get((req.headers.authorization ?? '').replace(/^Bearer /, ''));
      if (!grant) return json(res, 401, { error: 'invalid_token' });
      return json(res, 200, { workspace: grant.account });
    }
    json(res, 404, { error: 'not_found' });
  });
  return fake;
}
