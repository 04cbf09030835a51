/**
 * A small stand-in for GitHub's OAuth App endpoints and REST API, following GitHub's documented behaviour:
 * - GET /login/oauth/authorize redirects back with `code` and `state` (the user "approves" at once);
 * - POST /login/oauth/access_token answers form-encoded unless `Accept: application/json`, and reports errors
 *   such as `bad_verification_code` with HTTP 200; the granted scopes are comma-separated; PKCE S256 is checked
 *   when the authorization request carried a challenge;
 * - GET /user requires a User-Agent and shows only the public email (null when hidden);
 * - GET /user/emails lists addresses with `primary` and `verified` flags (needs the user:email scope);
 * - DELETE /applications/{client_id}/token revokes `access_token` (JSON body), with the OAuth app's client id and
 *   secret as Basic auth: 204, or 404 for a token it does not know, 401 for wrong app credentials
 *   ("REST API endpoints for OAuth authorizations": Delete an app token).
 * Real GitHub cannot be reached from the tests; this follows docs.github.com's "Authorizing OAuth apps" and
 * "REST API endpoints for emails".
 */
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readBody } from './read-body.js';

export interface FakeGitHubUser {
  id: number;
  login: string;
  name: string | null;
  /** The public email shown on /user (null when the user hides it). */
  publicEmail: string | null;
  emails: { email: string; primary: boolean; verified: boolean }[];
}

export interface FakeGitHub {
  origin: string;
  /** The user the next authorization signs in as. */
  user: FakeGitHubUser;
  /** Requests seen, as "METHOD path" lines. */
  requests: string[];
  close(): Promise<void>;
}

interface Grant {
  user: FakeGitHubUser;
  redirectUri: string;
  challenge: string | null;
  scopes: string[];
}

export async function startFakeGitHub(clientId: string, clientSecret: string): Promise<FakeGitHub> {
  const codes = new Map<string, Grant>();
  const tokens = new Map<string, Grant>();
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const fake: FakeGitHub = {
    origin,
    user: { id: 1, login: 'octocat', name: 'The Octocat', publicEmail: null, emails: [] },
    requests: [],
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
  const json = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' }).end(JSON.stringify(body));
  };
  server.on('request', async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', origin);
    fake.requests.push(`${req.method} ${url.pathname}`);
    if (req.method === 'GET' && url.pathname === '/login/oauth/authorize') {
      if (url.searchParams.get('client_id') !== clientId) return json(res, 404, { message: 'Not Found' });
      const redirectUri = url.searchParams.get('redirect_uri') as string;
      const code = randomBytes(10).toString('hex');
      codes.set(code, {
        user: structuredClone(fake.user),
        redirectUri,
        challenge: url.searchParams.get('code_challenge'),
        scopes: (url.searchParams.get('scope') ?? '').split(' ').filter(Boolean),
      });
      const back = new URL(redirectUri);
      back.searchParams.set('code', code);
      back.searchParams.set('state', url.searchParams.get('state') ?? '');
      res.writeHead(302, { location: back.href }).end();
      return;
    }
    if (req.method === 'POST' && url.pathname === '/login/oauth/access_token') {
      const form = new URLSearchParams(await readBody(req));
      const basic = req.headers.authorization?.startsWith('Basic ')
        ? Buffer.from(req.headers.authorization.slice(6), 'base64')
            .toString()
            .split(':')
            .map(decodeURIComponent)
        : [];
      const id = form.get('client_id') ?? basic[0];
      const secret = form.get('client_secret') ?? basic[1];
      const answer = (payload: Record<string, string>) => {
        if ((req.headers.accept ?? '').includes('application/json')) return json(res, 200, payload);
        res
          .writeHead(200, { 'content-type': 'application/x-www-form-urlencoded' })
          .end(new URLSearchParams(payload).toString());
      };
      if (id !== clientId || secret !== clientSecret)
        return answer({ error: 'incorrect_client_credentials' });
      const grant = codes.get(form.get('code') ?? '');
      codes.delete(form.get('code') ?? '');
      if (!grant || grant.redirectUri !== form.get('redirect_uri'))
        return answer({ error: 'bad_verification_code' });
      if (grant.challenge !== null) {
        const verifier = form.get('code_verifier') ?? '';
        if (createHash('sha256').update(verifier).digest('base64url') !== grant.challenge) {
          return answer({ error: 'bad_verification_code', error_description: 'code_verifier mismatch' });
        }
      }
      const token = `gho_${randomBytes(16).toString('hex')}`;
      tokens.set(token, grant);
      return answer({ access_token: token, token_type: 'bearer', scope: grant.scopes.join(',') });
    }
    if (req.method === 'DELETE' && url.pathname === `/applications/${clientId}/token`) {
      const basic = Buffer.from(
        (req.headers.authorization ?? '').replace(/^Basic /, ''),
        'base64',
      ).toString();
      if (basic !== `${clientId}:${clientSecret}`)
        return json(res, 401, { message: 'Requires authentication' });
      const body = JSON.parse((await readBody(req)) || '{}') as { access_token?: string };
      if (!body.access_token || !tokens.delete(body.access_token))
        return json(res, 404, { message: 'Not Found' });
      res.writeHead(204).end();
      return;
    }
    if (req.method === 'GET' && (url.pathname === '/user' || url.pathname === '/user/emails')) {
      if (!req.headers['user-agent'])
        return json(res, 403, { message: 'Request forbidden by administrative rules.' });
      const auth = req.headers.authorization ?? '';
      const grant = tokens.get(auth.replace(/^(Bearer|token) /, ''));
      if (!grant) return json(res, 401, { message: 'Bad credentials' });
      if (url.pathname === '/user') {
        const u = grant.user;
        return json(res, 200, {
          login: u.login,
          id: u.id,
          name: u.name,
          email: u.publicEmail,
          avatar_url: `https://avatars.example/${u.id}`,
        });
      }
      if (!grant.scopes.includes('user:email')) return json(res, 404, { message: 'Not Found' });
      return json(
        res,
        200,
        grant.user.emails.map((e) => ({ ...e, visibility: e.primary ? 'private' : null })),
      );
    }
    json(res, 404, { message: 'Not Found' });
  });
  return fake;
}
