import { generateKeyPairSync } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import express from 'express';
import { type OAuthRouterOptions, oauthRouter, PRESETS, type ProviderOptions } from '../../src/index.js';
import { requestApp } from '../helpers/request-app.js';
import { TEST_SECRET } from '../helpers/stack.js';
import { newKey } from '../helpers/vault.js';

/** A stand-in discovery document per preset, so OIDC presets can build their authorization URL offline. */
let discovery: Server;
let discoveryOrigin = '';
beforeAll(async () => {
  discovery = createServer((req, res) => {
    const prefix = (req.url ?? '').replace('/.well-known/openid-configuration', '');
    const issuer = `${discoveryOrigin}${prefix}`;
    res.setHeader('content-type', 'application/json');
    res.end(
      JSON.stringify({
        issuer,
        authorization_endpoint: `${issuer}/authorize`,
        token_endpoint: `${issuer}/token`,
        jwks_uri: `${issuer}/jwks`,
        response_types_supported: ['code'],
        subject_types_supported: ['public'],
        id_token_signing_alg_values_supported: ['RS256'],
      }),
    );
  });
  await new Promise<void>((resolve) => discovery.listen(0, '127.0.0.1', resolve));
  discoveryOrigin = `http://127.0.0.1:${(discovery.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((resolve) => discovery.close(resolve));
});

const applePrivateKey = generateKeyPairSync('ec', { namedCurve: 'P-256' })
  .privateKey.export({ format: 'pem', type: 'pkcs8' })
  .toString();

/** Starts an app with one preset and returns the authorization URL its login route redirects to. */
async function authorizationUrl(
  name: keyof typeof PRESETS,
  extra: Partial<ProviderOptions> = {},
  router: Partial<OAuthRouterOptions> = {},
) {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const preset = PRESETS[name];
  const options: ProviderOptions = {
    clientId: `${name}-client`,
    clientSecret: `${name}-secret`,
    ...(preset.kind === 'oidc' ? { issuer: `${discoveryOrigin}/${name}` } : {}),
    ...(name === 'apple' ? { teamId: 'TEAM123456', keyId: 'KEY1234567', privateKey: applePrivateKey } : {}),
    ...extra,
  };
  const app = express();
  app.use(
    oauthRouter({
      baseUrl,
      session: { secret: TEST_SECRET, secure: false },
      providers: { [name]: options },
      logger: { warn: () => {}, error: () => {} },
      ...router,
    }),
  );
  server.on('request', app);
  try {
    const res = await requestApp({ baseUrl }).get(`/auth/${name}/login`);
    expect(res.status).toBe(302);
    const url = new URL(res.headers.location as string);
    expect(url.searchParams.get('client_id')).toBe(`${name}-client`);
    expect(url.searchParams.get('redirect_uri')).toBe(`${baseUrl}/auth/${name}/callback`);
    expect(url.searchParams.get('response_type')).toBe('code');
    expect(url.searchParams.get('state')).toMatch(/^[\w-]{43}$/);
    return url;
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
}

const integration = { tokenEncryption: { keys: { k1: newKey() }, current: 'k1' } };

describe('authorization requests of the presets', () => {
  it.each([
    ['github', 'https://github.com/login/oauth/authorize', 'read:user user:email', true],
    ['discord', 'https://discord.com/oauth2/authorize', 'identify email', true],
    ['x', 'https://x.com/i/oauth2/authorize', 'users.read tweet.read', true],
    ['spotify', 'https://accounts.spotify.com/authorize', 'user-read-email user-read-private', true],
    ['facebook', 'https://www.facebook.com/v21.0/dialog/oauth', 'email public_profile', true],
    [
      'kakao',
      'https://kauth.kakao.com/oauth/authorize',
      'account_email profile_nickname profile_image',
      false,
    ],
    ['naver', 'https://nid.naver.com/oauth2.0/authorize', null, false],
    ['fluxer', 'https://web.fluxer.app/oauth2/authorize', 'identify email', true],
  ] as const)('%s (OAuth 2.0) goes to %s with scope %j and PKCE %s', async (name, endpoint, scope, pkce) => {
    const url = await authorizationUrl(name);
    expect(`${url.origin}${url.pathname}`).toBe(endpoint);
    expect(url.searchParams.get('scope')).toBe(scope);
    expect(url.searchParams.get('code_challenge_method')).toBe(pkce ? 'S256' : null);
    expect(url.searchParams.has('nonce')).toBe(false);
  });

  it.each([
    ['google', 'openid email profile', true],
    ['gitlab', 'openid profile email', true],
    ['microsoft', 'openid profile email', true],
    ['slack', 'openid email profile', true],
    ['linkedin', 'openid profile email', false],
    ['line', 'openid profile email', true],
    ['twitch', 'openid user:read:email', false],
    ['apple', 'openid name email', false],
  ] as const)('%s (OIDC) asks for %j with a nonce, PKCE %s', async (name, scope, pkce) => {
    const url = await authorizationUrl(name);
    expect(url.pathname).toBe(`/${name}/authorize`);
    expect(url.searchParams.get('scope')).toBe(scope);
    expect(url.searchParams.get('nonce')).toMatch(/^[\w-]{43}$/);
    expect(url.searchParams.get('code_challenge_method')).toBe(pkce ? 'S256' : null);
  });

  it('Apple posts its callback (form_post)', async () => {
    expect((await authorizationUrl('apple')).searchParams.get('response_mode')).toBe('form_post');
  });

  it('Twitch asks for the email claims explicitly', async () => {
    const claims = JSON.parse((await authorizationUrl('twitch')).searchParams.get('claims') as string);
    expect(claims.id_token).toHaveProperty('email_verified');
    expect(claims.userinfo).toHaveProperty('email');
  });

  it('Google in integration mode asks for offline access (or it sends no refresh token)', async () => {
    const signin = await authorizationUrl('google');
    expect(signin.searchParams.has('access_type')).toBe(false);
    const url = await authorizationUrl('google', { mode: 'integration' }, integration);
    expect(url.searchParams.get('access_type')).toBe('offline');
    // Consent only when it is needed for a refresh token: google-consent.test.ts follows the whole dance.
    expect(url.searchParams.has('prompt')).toBe(false);
    // Consent the app asks for itself is always sent.
    const asked = await authorizationUrl(
      'google',
      { mode: 'integration', authorizationParams: { prompt: 'consent' } },
      integration,
    );
    expect(asked.searchParams.get('prompt')).toBe('consent');
  });

  it('Microsoft and X in integration mode ask for their refresh-token scopes', async () => {
    expect(
      (await authorizationUrl('microsoft', { mode: 'integration' }, integration)).searchParams.get('scope'),
    ).toBe('openid profile email offline_access User.Read');
    expect(
      (await authorizationUrl('x', { mode: 'integration' }, integration)).searchParams.get('scope'),
    ).toBe('users.read tweet.read offline.access');
  });

  it('adds extra scopes from the login route (incremental authorization)', async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const app = express();
    app.use(
      oauthRouter({
        baseUrl,
        session: { secret: TEST_SECRET, secure: false },
        providers: { github: { clientId: 'c', clientSecret: 's' } },
        logger: { warn: () => {}, error: () => {} },
      }),
    );
    server.on('request', app);
    try {
      const ok = await requestApp({ baseUrl }).get(
        `/auth/github/login?scope=${encodeURIComponent('repo read:user')}`,
      );
      expect(new URL(ok.headers.location as string).searchParams.get('scope')).toBe(
        'read:user user:email repo',
      );
      const bad = await requestApp({ baseUrl }).get(
        `/auth/github/login?scope=${encodeURIComponent('repo "x"')}`,
      );
      expect(bad.status).toBe(400);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

describe('preset issuers', () => {
  it('point at the documented OpenID issuers', () => {
    expect(PRESETS.google.issuer()).toBe('https://accounts.google.com');
    expect(PRESETS.apple.issuer()).toBe('https://appleid.apple.com');
    expect(PRESETS.gitlab.issuer()).toBe('https://gitlab.com');
    expect(PRESETS.slack.issuer()).toBe('https://slack.com');
    expect(PRESETS.twitch.issuer()).toBe('https://id.twitch.tv/oauth2');
    expect(PRESETS.linkedin.issuer()).toBe('https://www.linkedin.com/oauth');
    expect(PRESETS.line.issuer()).toBe('https://access.line.me');
    expect(PRESETS.microsoft.issuer({})).toBe('https://login.microsoftonline.com/common/v2.0');
    expect(PRESETS.microsoft.issuer({ tenant: 'contoso.onmicrosoft.com' })).toBe(
      'https://login.microsoftonline.com/contoso.onmicrosoft.com/v2.0',
    );
  });
});
