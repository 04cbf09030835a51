import { generateKeyPairSync } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { RedisTokenRepository } from '../../src/index.js';
import { Browser } from '../helpers/browser.js';
import { useRedis, useStack } from '../helpers/lifecycle.js';
import { signIn } from '../helpers/stack.js';
import { expireConnection, newKey, vaultRoutes } from '../helpers/vault.js';

// The app's key pair: the provider holds the public half (the client's registered jwks), the app the private one.
const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const jwk = (key: import('node:crypto').KeyObject) =>
  JSON.parse(JSON.stringify(key.export({ format: 'jwk' })));
const rsaPrivate = { ...jwk(rsa.privateKey), kid: 'app-rsa-1' };
const rsaPublic = { ...jwk(rsa.publicKey), kid: 'app-rsa-1', use: 'sig' };
// A key the provider does not know.
const stranger = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const strangerPem = stranger.privateKey.export({ format: 'pem', type: 'pkcs8' }) as string;

// The provider reads the app's public keys from its jwks_uri, as most providers can.
let jwksServer: Server;
beforeAll(async () => {
  jwksServer = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [rsaPublic] }));
  });
  await new Promise<void>((resolve) => jwksServer.listen(0, '127.0.0.1', resolve));
});
afterAll(async () => {
  jwksServer.closeAllConnections();
  await new Promise((resolve) => jwksServer.close(resolve));
});
const jwksUri = () => `http://127.0.0.1:${(jwksServer.address() as AddressInfo).port}/jwks`;

let opIssuer = '';
const redis = useRedis();
const stack = useStack(() => ({
  redisUrl: redis().url,
  providers: (issuer) => {
    opIssuer = issuer;
    return {
      acme: {
        issuer,
        clientId: 'acme-app',
        tokenEndpointAuthMethod: 'private_key_jwt' as const,
        clientAssertionKey: rsaPrivate,
        mode: 'integration' as const,
      },
      other: {
        issuer,
        clientId: 'acme-app',
        tokenEndpointAuthMethod: 'private_key_jwt' as const,
        clientAssertionKey: strangerPem,
      },
    };
  },
  // The client may authenticate with private_key_jwt only: any other method is refused with invalid_client.
  client: {
    token_endpoint_auth_method: 'private_key_jwt',
    jwks_uri: jwksUri(),
  },
  router: { tokenEncryption: { keys: { k1: newKey() }, current: 'k1' } },
  routes: vaultRoutes(() => `${opIssuer}/me`),
}));
const json = { accept: 'application/json' };

describe('private_key_jwt client authentication (RFC 7523)', () => {
  it('signs every back-channel request with the key: code exchange, refresh, client credentials, revocation', async () => {
    const browser = new Browser();
    const res = await signIn(stack(), browser, { email: 'pkjwt@example.test' });
    expect(res.status).toBe(200);
    const { user } = (await res.json()) as { user: { id: string } };
    const before = await stack().router.forUser(user.id).token('acme');
    // An expired token makes the router refresh, which authenticates the same way.
    const refreshes = stack().op.tokenRequests.get('refresh_token') ?? 0;
    await expireConnection(new RedisTokenRepository(redis().client(), 'oar:'), user.id);
    const refreshed = await browser.request(stack().url('/api/profile'), { headers: json });
    expect(refreshed.status).toBe(200);
    expect(stack().op.tokenRequests.get('refresh_token')).toBe(refreshes + 1);
    expect(await stack().router.clientCredentials('acme')).toEqual(expect.any(String));
    const disconnected = await browser.request(stack().url('/api/disconnect'), {
      method: 'POST',
      headers: json,
    });
    expect(await disconnected.json()).toEqual({ revoked: true });
    const info = await fetch(`${stack().op.issuer}/me`, { headers: { authorization: `Bearer ${before}` } });
    expect(info.status).toBe(401);
  });

  it('fails a sign-in with provider_error (invalid_client) when the provider does not know the key', async () => {
    const res = await signIn(stack(), new Browser(), { provider: 'other', email: 'stranger@example.test' });
    expect(res.status).toBe(502);
    expect(await res.json()).toMatchObject({ error: 'provider_error' });
    const logged = JSON.stringify(stack().logs.slice(-3));
    expect(logged).toContain('invalid_client');
    expect(logged).not.toContain(strangerPem.split('\n')[1]);
  });
});
