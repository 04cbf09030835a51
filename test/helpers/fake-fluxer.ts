/**
 * A small stand-in for Fluxer's OAuth2 endpoints, following the behaviour its documentation describes:
 * authorize at /oauth2/authorize (PKCE S256; `bot` installs carry `guild_id` and `permissions`); token at
 * /api/oauth2/token taking a JSON body only; refresh tokens single-use (a reused one is refused and revokes the
 * grant); client credentials for bot apps; RFC 7009 revocation; the profile at /api/users/@me.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readBody } from './read-body.js';

export interface FakeFluxer {
  origin: string;
  /** Content types of the token requests, in order. */
  tokenContentTypes: string[];
  /** Grant types of the token requests, in order. */
  grants: string[];
  /** Authorization requests' query parameters, in order. */
  authorizations: URLSearchParams[];
  /** Tokens revoked through the revocation endpoint. */
  revoked: string[];
  close(): Promise<void>;
}

interface Grant {
  challenge: string | null;
  redirectUri: string;
  scope: string;
}

export async function startFakeFluxer(clientId: string, clientSecret: string): Promise<FakeFluxer> {
  const codes = new Map<string, Grant>();
  const access = new Set<string>();
  const refresh = new Map<string, { scope: string; used: boolean }>();
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const fake: FakeFluxer = {
    origin,
    tokenContentTypes: [],
    grants: [],
    authorizations: [],
    revoked: [],
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
  const json = (res: ServerResponse, status: number, body: unknown) =>
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  const issue = (res: ServerResponse, scope: string, withRefresh: boolean) => {
    const accessToken = randomBytes(32).toString('base64url');
    access.add(accessToken);
    const body: Record<string, unknown> = {
      access_token: accessToken,
      token_type: 'Bearer',
      expires_in: 604800,
      scope,
    };
    if (withRefresh) {
      const refreshToken = randomBytes(32).toString('base64url');
      refresh.set(refreshToken, { scope, used: false });
      body.refresh_token = refreshToken;
    }
    json(res, 200, body);
  };
  server.on('request', async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', origin);
    if (req.method === 'GET' && url.pathname === '/oauth2/authorize') {
      fake.authorizations.push(url.searchParams);
      if (url.searchParams.get('client_id') !== clientId) return json(res, 400, { error: 'invalid_client' });
      const code = randomBytes(32).toString('base64url');
      const redirectUri = url.searchParams.get('redirect_uri') as string;
      codes.set(code, {
        challenge: url.searchParams.get('code_challenge'),
        redirectUri,
        scope: url.searchParams.get('scope') ?? '',
      });
      const back = new URL(redirectUri);
      back.searchParams.set('code', code);
      back.searchParams.set('state', url.searchParams.get('state') ?? '');
      res.writeHead(302, { location: back.href }).end();
      return;
    }
    if (req.method === 'POST' && url.pathname === '/api/oauth2/token') {
      const type = req.headers['content-type'] ?? '';
      fake.tokenContentTypes.push(type);
      if (!type.startsWith('application/json'))
        return json(res, 415, { error: 'invalid_request', error_description: 'JSON body required' });
      const body = JSON.parse(await readBody(req)) as Record<string, string>;
      fake.grants.push(body.grant_type ?? '');
      if (body.client_id !== clientId || body.client_secret !== clientSecret)
        return json(res, 401, { error: 'invalid_client' });
      if (body.grant_type === 'authorization_code') {
        const grant = codes.get(body.code ?? '');
        codes.delete(body.code ?? '');
        if (!grant || grant.redirectUri !== body.redirect_uri)
          return json(res, 400, { error: 'invalid_grant' });
        if (
          grant.challenge &&
          createHash('sha256')
            .update(body.code_verifier ?? '')
            .digest('base64url') !== grant.challenge
        ) {
          return json(res, 400, { error: 'invalid_grant', error_description: 'code_verifier mismatch' });
        }
        return issue(res, grant.scope, true);
      }
      if (body.grant_type === 'refresh_token') {
        const record = refresh.get(body.refresh_token ?? '');
        if (!record || record.used) return json(res, 400, { error: 'invalid_grant' });
        record.used = true;
        return issue(res, record.scope, true);
      }
      if (body.grant_type === 'client_credentials') return issue(res, body.scope ?? 'bot', false);
      return json(res, 400, { error: 'unsupported_grant_type' });
    }
    if (req.method === 'POST' && url.pathname === '/api/oauth2/token/revoke') {
      const form = new URLSearchParams(await readBody(req));
      const token = form.get('token') ?? '';
      fake.revoked.push(token);
      access.delete(token);
      refresh.delete(token);
      res.writeHead(200).end();
      return;
    }
    if (req.method === 'GET' && url.pathname === '/api/users/@me') {
      const token = (req.headers.authorization ?? '').replace(/^Bearer /, '');
      if (!access.has(token)) return json(res, 401, { code: 'UNAUTHORIZED', message: 'Unauthorized' });
      return json(res, 200, {
        id: '1234567890123',
        username: 'fluxfan',
        global_name: 'Flux Fan',
        avatar: null,
        email: 'fan@fluxer.test',
        verified: true,
      });
    }
    json(res, 404, { code: 'UNKNOWN_ROUTE' });
  });
  return fake;
}
