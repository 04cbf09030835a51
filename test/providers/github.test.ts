import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { requireAuth } from '../../src/index.js';
import { Browser } from '../helpers/browser.js';
import { type FakeGitHub, startFakeGitHub } from '../helpers/fake-github.js';
import { requestApp } from '../helpers/request-app.js';
import { type Stack, startStack } from '../helpers/stack.js';

const CLIENT_ID = 'Iv1.fakeclient';
const CLIENT_SECRET = 'github-client-secret-0123456789';
let github: FakeGitHub;
let stack: Stack;

beforeAll(async () => {
  github = await startFakeGitHub(CLIENT_ID, CLIENT_SECRET);
  stack = await startStack({
    routes: (app) => {
      app.get('/needs-email', requireAuth({ scopes: ['user:email'] }), (_req, res) => {
        res.json({ ok: true });
      });
    },
    providers: () => ({
      github: {
        clientId: CLIENT_ID,
        clientSecret: CLIENT_SECRET,
        authorizationUrl: `${github.origin}/login/oauth/authorize`,
        tokenUrl: `${github.origin}/login/oauth/access_token`,
        userinfoUrl: `${github.origin}/user`,
      },
      // Any plain OAuth 2.0 provider, by endpoints and a profile mapper (here: the same fake, mapped by hand).
      custom: {
        clientId: CLIENT_ID,
        clientSecret: CLIENT_SECRET,
        authorizationUrl: `${github.origin}/login/oauth/authorize`,
        tokenUrl: `${github.origin}/login/oauth/access_token`,
        userinfoUrl: `${github.origin}/user`,
        scopes: ['read:user'],
        profile: (raw) => ({
          providerAccountId: String(raw.id),
          email: null,
          emailVerified: false,
          name: typeof raw.login === 'string' ? `@${raw.login}` : null,
          avatarUrl: null,
        }),
      },
    }),
  });
});
afterAll(async () => {
  await stack.close();
  await github.close();
});

/** login → GitHub → back at the callback, then the callback itself. */
async function signInWithGitHub(browser: Browser, provider = 'github'): Promise<Response> {
  const { url } = await browser.follow(stack.url(`/auth/${provider}/login`), (next) =>
    next.pathname.endsWith('/callback'),
  );
  return browser.request(url);
}

describe('GitHub (plain OAuth 2.0)', () => {
  it('sends PKCE, state and the scopes, and no OIDC nonce', async () => {
    const res = await requestApp(stack).get('/auth/github/login');
    const url = new URL(res.headers.location as string);
    expect(`${url.origin}${url.pathname}`).toBe(`${github.origin}/login/oauth/authorize`);
    expect(url.searchParams.get('scope')).toBe('read:user user:email');
    expect(url.searchParams.get('code_challenge_method')).toBe('S256');
    expect(url.searchParams.get('state')).toBeTruthy();
    expect(url.searchParams.has('nonce')).toBe(false);
  });

  it('reads the primary verified email from /user/emails when the profile hides it', async () => {
    github.user = {
      id: 583231,
      login: 'octocat',
      name: 'The Octocat',
      publicEmail: null,
      emails: [
        { email: 'old@example.test', primary: false, verified: true },
        { email: 'octocat@example.test', primary: true, verified: true },
      ],
    };
    github.requests.length = 0;
    const res = await signInWithGitHub(new Browser());
    expect(res.status).toBe(200);
    expect(((await res.json()) as { user: unknown }).user).toMatchObject({
      name: 'The Octocat',
      email: 'octocat@example.test',
      emailVerified: true,
      avatarUrl: 'https://avatars.example/583231',
    });
    expect(github.requests).toEqual([
      'GET /login/oauth/authorize',
      'POST /login/oauth/access_token',
      'GET /user',
      'GET /user/emails',
    ]);
  });

  it('reports no verified email when the primary address is unverified', async () => {
    github.user = {
      id: 2,
      login: 'ghost',
      name: null,
      publicEmail: null,
      emails: [{ email: 'ghost@example.test', primary: true, verified: false }],
    };
    const res = await signInWithGitHub(new Browser());
    expect(((await res.json()) as { user: unknown }).user).toMatchObject({
      name: 'ghost',
      email: null,
      emailVerified: false,
    });
  });

  it('uses the public email without another request when GitHub shows one', async () => {
    github.user = { id: 3, login: 'pub', name: 'Pub', publicEmail: 'pub@example.test', emails: [] };
    github.requests.length = 0;
    const res = await signInWithGitHub(new Browser());
    expect(((await res.json()) as { user: unknown }).user).toMatchObject({
      email: 'pub@example.test',
      emailVerified: true,
    });
    expect(github.requests).not.toContain('GET /user/emails');
  });

  it('answers provider_error when GitHub refuses the code (an error sent with HTTP 200)', async () => {
    const browser = new Browser();
    const { url } = await browser.follow(stack.url('/auth/github/login'), (next) =>
      next.pathname.endsWith('/callback'),
    );
    url.searchParams.set('code', 'not-a-code');
    const res = await browser.request(url);
    expect(res.status).toBe(502);
    expect(await res.json()).toMatchObject({ error: 'provider_error' });
    expect(stack.logs.some((l) => l.message.includes('"bad_verification_code"'))).toBe(true);
  });

  it('reads the scopes GitHub granted from its comma-separated list (the preset says so)', async () => {
    github.user = { id: 7, login: 'scoped', name: 'Scoped', publicEmail: 'scoped@example.test', emails: [] };
    const browser = new Browser();
    expect((await signInWithGitHub(browser)).status).toBe(200);
    const res = await browser.request(stack.url('/needs-email'), { headers: { accept: 'application/json' } });
    expect(res.status).toBe(200);
  });

  it('maps a generic OAuth 2.0 provider with the configured profile function', async () => {
    github.user = { id: 4, login: 'mapped', name: 'Ignored', publicEmail: null, emails: [] };
    const res = await signInWithGitHub(new Browser(), 'custom');
    expect(((await res.json()) as { user: unknown }).user).toMatchObject({ name: '@mapped', email: null });
  });
});

describe('revocation at GitHub and at a provider without any', () => {
  let app: Stack;
  beforeAll(async () => {
    app = await startStack({
      providers: () => ({
        github: {
          clientId: CLIENT_ID,
          clientSecret: CLIENT_SECRET,
          authorizationUrl: `${github.origin}/login/oauth/authorize`,
          tokenUrl: `${github.origin}/login/oauth/access_token`,
          userinfoUrl: `${github.origin}/user`,
          revocationUrl: `${github.origin}/applications`,
          mode: 'integration',
        },
        custom: {
          clientId: CLIENT_ID,
          clientSecret: CLIENT_SECRET,
          authorizationUrl: `${github.origin}/login/oauth/authorize`,
          tokenUrl: `${github.origin}/login/oauth/access_token`,
          userinfoUrl: `${github.origin}/user`,
          mode: 'integration',
          profile: (raw) => ({
            providerAccountId: `custom-${String(raw.id)}`,
            email: null,
            emailVerified: false,
            name: null,
            avatarUrl: null,
          }),
        },
      }),
      router: { tokenEncryption: { keys: { k1: randomBytes(32).toString('base64') }, current: 'k1' } },
    });
  });
  afterAll(async () => {
    await app.close();
  });

  async function connected(provider: string): Promise<{ userId: string; token: string }> {
    const browser = new Browser();
    const { url } = await browser.follow(app.url(`/auth/${provider}/login`), (next) =>
      next.pathname.endsWith('/callback'),
    );
    const res = await browser.request(url, { headers: { accept: 'application/json' } });
    expect(res.status).toBe(200);
    const userId = ((await res.json()) as { user: { id: string } }).user.id;
    return { userId, token: await app.router.forUser(userId).token(provider) };
  }
  const userStatus = (token: string) =>
    fetch(`${github.origin}/user`, { headers: { authorization: `Bearer ${token}`, 'user-agent': 't' } }).then(
      (r) => r.status,
    );

  it('revokes a GitHub token through its REST API (DELETE /applications/{client_id}/token)', async () => {
    const { userId, token } = await connected('github');
    expect(await userStatus(token)).toBe(200);
    expect(await app.router.forUser(userId).disconnect('github', { revoke: true })).toEqual({
      revoked: true,
    });
    expect(github.requests).toContain(`DELETE /applications/${CLIENT_ID}/token`);
    expect(await userStatus(token)).toBe(401);
  });

  it('says why nothing was revoked at a provider without revocation', async () => {
    const { userId, token } = await connected('custom');
    expect(await app.router.forUser(userId).disconnect('custom', { revoke: true })).toEqual({
      revoked: false,
      reason: 'not_supported',
    });
    // Nothing was sent: the token still works at the provider; ours is gone.
    expect(await userStatus(token)).toBe(200);
    await expect(app.router.forUser(userId).token('custom')).rejects.toMatchObject({ code: 'not_connected' });
  });
});
