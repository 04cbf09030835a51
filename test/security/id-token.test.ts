import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { decodeJwt, type JWK, type JWTPayload, SignJWT } from 'jose';
import { flowStateKey } from '../../src/flow/flow-state.js';
import { Browser } from '../helpers/browser.js';
import { useRedis, useStack } from '../helpers/lifecycle.js';
import { requestApp } from '../helpers/request-app.js';
import { authorize, CLIENT_SECRET, type Stack, sendCallback, signIn, startStack } from '../helpers/stack.js';

type KeyLike = KeyObject;

const redis = useRedis();
const stack = useStack(() => ({ redisUrl: redis().url }));

describe('id_token and issuer validation', () => {
  it('rejects an id_token whose nonce is not the one of this login', async () => {
    const browser = new Browser();
    const response = await authorize(stack(), browser);
    // Swap the stored nonce, as if the code (and its id_token) had been issued to a different login.
    const client = redis().client();
    const key = flowStateKey('oar:', response.url.searchParams.get('state') as string);
    const record = JSON.parse((await client.get(key)) as string) as { nonce: string };
    record.nonce = 'a-nonce-of-another-login-aaaaaaaaaaaaaaaaaaaa';
    await client.set(key, JSON.stringify(record), 'EX', 60);
    const res = await sendCallback(browser, response);
    expect(res.status).toBe(502);
    expect(await res.json()).toMatchObject({ error: 'provider_error' });
    expect(stack().logs.some((l) => l.message.includes('"nonce" claim'))).toBe(true);
  });

  it('rejects an authorization response whose iss is another issuer (mix-up, RFC 9207)', async () => {
    const browser = new Browser();
    const response = await authorize(stack(), browser);
    expect(response.url.searchParams.get('iss')).toBe(stack().op.issuer);
    response.url.searchParams.set('iss', 'https://attacker.example');
    const res = await sendCallback(browser, response);
    expect(res.status).toBe(502);
    expect(await res.json()).toMatchObject({ error: 'provider_error' });
  });

  it('refuses a provider whose discovery document names a different issuer', async () => {
    const misconfigured = await startStack({
      redisUrl: redis().url,
      // The document at this URL says its issuer is the OP's root, not ".../tenant".
      providers: (issuer) => ({
        acme: { issuer: `${issuer}/tenant`, clientId: 'acme-app', clientSecret: CLIENT_SECRET },
      }),
    });
    try {
      const res = await requestApp(misconfigured).get('/auth/acme/login');
      expect(res.status).toBe(502);
      expect(res.body).toMatchObject({ error: 'provider_error' });
    } finally {
      await misconfigured.close();
    }
  });
});

// The token response is altered on its way to the app (a TLS-inspecting proxy, a compromised transport, a
// look-alike endpoint): the id_token is re-signed with a key the provider never published. The app's provider
// transport (providerFetch) is where the test plays that attacker.
describe('id_token signature', () => {
  type Signer = { key: KeyLike | Uint8Array; kid?: string; alg: string };
  const published = generateRsa('k1');
  const tamper: {
    signWith?: Signer;
    claims?: (claims: JWTPayload) => JWTPayload;
    jwks?: { keys: JWK[] };
  } = {};
  const providerFetch: typeof fetch = async (input, init) => {
    const url = input instanceof Request ? input.url : String(input);
    if (tamper.jwks && url.endsWith('/jwks')) return Response.json(tamper.jwks);
    const res = await fetch(input, init);
    const signer = tamper.signWith;
    if (!url.endsWith('/token') || !signer || res.status !== 200) return res;
    const body = (await res.json()) as { id_token: string };
    const claims = (tamper.claims ?? ((c) => c))(decodeJwt(body.id_token));
    body.id_token = await new SignJWT(claims)
      .setProtectedHeader({ alg: signer.alg, ...(signer.kid ? { kid: signer.kid } : {}) })
      .sign(signer.key);
    return Response.json(body);
  };
  const signed = useStack(() => ({
    redisUrl: redis().url,
    op: { configuration: { jwks: { keys: [published.privateJwk] } } },
    router: { providerFetch, keyPrefix: 'sig:' },
  }));
  const attempt = async (s: Stack) => {
    const browser = new Browser();
    const res = await signIn(s, browser);
    const me = await browser.request(s.url('/me'), { headers: { accept: 'application/json' } });
    return {
      status: res.status,
      body: (await res.json()) as { error?: string },
      signedIn: me.status === 200,
    };
  };
  afterEach(() => {
    delete tamper.signWith;
    delete tamper.claims;
    delete tamper.jwks;
    jest.restoreAllMocks();
  });

  it('accepts an id_token re-signed with the published key (the tampering harness itself is sound)', async () => {
    tamper.signWith = { key: published.privateKey, kid: 'k1', alg: 'RS256' };
    expect(await attempt(signed())).toMatchObject({ status: 200, signedIn: true });
  });

  it('refuses an id_token signed with a key the provider never published (same kid)', async () => {
    tamper.signWith = { key: generateRsa('k1').privateKey, kid: 'k1', alg: 'RS256' };
    expect(await attempt(signed())).toMatchObject({
      status: 502,
      body: { error: 'provider_error' },
      signedIn: false,
    });
  });

  it('refuses an id_token signed with an unknown key id', async () => {
    tamper.signWith = { key: generateRsa('k9').privateKey, kid: 'k9', alg: 'RS256' };
    expect(await attempt(signed())).toMatchObject({ status: 502, signedIn: false });
  });

  it('refuses an HMAC id_token from a provider whose tokens are signed with a published key (alg confusion)', async () => {
    tamper.signWith = { key: new TextEncoder().encode(CLIENT_SECRET), alg: 'HS256' };
    expect(await attempt(signed())).toMatchObject({ status: 502, signedIn: false });
  });

  it('refuses an HMAC-signed id_token (LINE) signed with anything but the client secret', async () => {
    const secret = 'line-secret-0123456789-0123456789';
    const line = await startStack({
      redisUrl: redis().url,
      clients: (baseUrl, mountPath) => [
        {
          client_id: 'line-app',
          client_secret: secret,
          redirect_uris: [`${baseUrl}${mountPath}/acme/callback`],
          token_endpoint_auth_method: 'client_secret_post',
          id_token_signed_response_alg: 'HS256',
        },
      ],
      op: { configuration: { enabledJWA: { idTokenSigningAlgValues: ['RS256', 'HS256'] } } },
      providers: (issuer) => ({
        acme: { preset: 'line', issuer, clientId: 'line-app', clientSecret: secret },
      }),
      router: { providerFetch, keyPrefix: 'line:' },
    });
    try {
      tamper.signWith = { key: new TextEncoder().encode(secret), alg: 'HS256' };
      expect(await attempt(line)).toMatchObject({ status: 200, signedIn: true });
      tamper.signWith = { key: new TextEncoder().encode('not-the-client-secret-0123456789ab'), alg: 'HS256' };
      expect(await attempt(line)).toMatchObject({ status: 502, signedIn: false });
    } finally {
      await line.close();
    }
  });

  it('refuses an id_token whose iat is far in the future, even with a valid signature', async () => {
    tamper.signWith = { key: published.privateKey, kid: 'k1', alg: 'RS256' };
    tamper.claims = (c) => ({ ...c, iat: Math.floor(Date.now() / 1000) + 3600, exp: (c.exp ?? 0) + 3600 });
    expect(await attempt(signed())).toMatchObject({ status: 502, signedIn: false });
    expect(signed().logs.some((l) => l.message.includes('"iat" is in the future'))).toBe(true);
  });

  it('picks up a rotated key: the JWK Set is fetched again (at most once a minute) for an unknown kid', async () => {
    const rotating = await startStack({
      redisUrl: redis().url,
      op: { configuration: { jwks: { keys: [published.privateJwk] } } },
      router: { providerFetch, keyPrefix: 'rot:' },
    });
    try {
      expect(await attempt(rotating)).toMatchObject({ status: 200 }); // JWK Set fetched and cached: [k1]
      const next = generateRsa('k2');
      tamper.jwks = { keys: [published.publicJwk, next.publicJwk] };
      tamper.signWith = { key: next.privateKey, kid: 'k2', alg: 'RS256' };
      // Within a minute of the last fetch the cached set is trusted, and k2 is unknown.
      expect(await attempt(rotating)).toMatchObject({ status: 502 });
      const now = Date.now();
      jest.spyOn(Date, 'now').mockImplementation(() => now + 61_000);
      expect(await attempt(rotating)).toMatchObject({ status: 200, signedIn: true });
    } finally {
      await rotating.close();
    }
  });
});

function generateRsa(kid: string): {
  privateKey: KeyLike;
  privateJwk: JWK;
  publicJwk: JWK;
} {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return {
    privateKey,
    privateJwk: { ...(privateKey.export({ format: 'jwk' }) as JWK), kid, alg: 'RS256', use: 'sig' },
    publicJwk: { ...(publicKey.export({ format: 'jwk' }) as JWK), kid, alg: 'RS256', use: 'sig' },
  };
}
