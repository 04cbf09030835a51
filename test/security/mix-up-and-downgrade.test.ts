import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type DevProvider, startDevProvider } from '../../dev-provider/index.js';
import { Browser } from '../helpers/browser.js';
import { useRedis } from '../helpers/lifecycle.js';
import { authorize, CLIENT_SECRET, type Stack, sendCallback, startStack } from '../helpers/stack.js';

const redis = useRedis();
let stack: Stack;
let evil: DevProvider;

beforeAll(async () => {
  // A second, attacker-controlled OP that the app also trusts as a provider ("evil"). No login completes there
  // in these tests, so its client needs no real redirect URI.
  evil = await startDevProvider({
    clients: [
      { client_id: 'evil-app', client_secret: CLIENT_SECRET, redirect_uris: ['http://127.0.0.1/unused'] },
    ],
  });
  stack = await startStack({
    redisUrl: redis().url,
    clients: (baseUrl, mountPath) => [
      {
        client_id: 'acme-app',
        client_secret: CLIENT_SECRET,
        redirect_uris: ['acme', 'lax'].map((p) => `${baseUrl}${mountPath}/${p}/callback`),
      },
      {
        client_id: 'lax-app',
        client_secret: CLIENT_SECRET,
        redirect_uris: [`${baseUrl}${mountPath}/lax/callback`],
      },
    ],
    // "lax-app" is a client for which this OP does not require PKCE, like many real providers.
    op: { configuration: { pkce: { required: (_ctx, client) => client.clientId !== 'lax-app' } } },
    providers: (issuer) => ({
      acme: { issuer, clientId: 'acme-app', clientSecret: CLIENT_SECRET },
      lax: { issuer, clientId: 'lax-app', clientSecret: CLIENT_SECRET },
      evil: { issuer: evil.issuer, clientId: 'evil-app', clientSecret: CLIENT_SECRET },
    }),
  });
});
afterAll(async () => {
  await stack.close();
  await evil.close();
});

describe('mix-up (RFC 9700 §4.4)', () => {
  it("refuses a response carrying another configured provider's issuer", async () => {
    const browser = new Browser();
    const response = await authorize(stack, browser, { provider: 'acme' });
    response.url.searchParams.set('iss', evil.issuer);
    const res = await sendCallback(browser, response);
    expect(res.status).toBe(502);
    expect(await res.json()).toMatchObject({ error: 'provider_error' });
  });

  it('never sends a code to the wrong token endpoint: a state is bound to the provider that minted it', async () => {
    const browser = new Browser();
    const response = await authorize(stack, browser, { provider: 'acme' });
    // The attacker routes acme's response to the "evil" callback, hoping its code reaches evil's token endpoint.
    response.url.pathname = response.url.pathname.replace('/acme/', '/evil/');
    const before = evil.tokenRequests.get('authorization_code') ?? 0;
    const res = await sendCallback(browser, response);
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: 'invalid_state' });
    expect(evil.tokenRequests.get('authorization_code') ?? 0).toBe(before);
  });
});

describe('PKCE downgrade (RFC 9700 §4.8.2)', () => {
  it('fails when the code challenge is stripped from the authorization request in transit', async () => {
    const browser = new Browser();
    const login = await browser.request(stack.url('/auth/lax/login'));
    const stripped = new URL(login.headers.get('location') as string);
    stripped.searchParams.delete('code_challenge');
    stripped.searchParams.delete('code_challenge_method');
    // The provider accepts the request without PKCE for this client and issues a code ...
    const interaction = await browser.follow(stripped, (next) => next.origin === stack.origin);
    await interaction.res.text();
    const done = await browser.follow(interaction.url, (next) => next.origin === stack.origin, {
      method: 'POST',
      body: new URLSearchParams({
        action: 'login',
        email: 'pkce@example.test',
        name: 'P',
        email_verified: 'true',
      }),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    // ... but we still send our code_verifier, and a provider must refuse a verifier for a code issued without a challenge.
    const res = await browser.request(done.url);
    expect(res.status).toBe(502);
    expect(await res.json()).toMatchObject({ error: 'provider_error' });
    expect(
      stack.logs.some((l) =>
        l.message.includes('lax: code exchange failed: provider answered "invalid_grant"'),
      ),
    ).toBe(true);
  });
});
