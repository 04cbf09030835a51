import { describe, expect, it } from '@jest/globals';
import { Browser } from '../helpers/browser.js';
import { useRedis, useStack } from '../helpers/lifecycle.js';
import { CLIENT_SECRET, signIn } from '../helpers/stack.js';

const json = { accept: 'application/json' };

async function loginLocation(url: string): Promise<URL> {
  const res = await new Browser().request(url);
  expect(res.status).toBe(302);
  await res.arrayBuffer();
  return new URL(res.headers.get('location') as string);
}

describe('Pushed Authorization Requests (RFC 9126)', () => {
  describe('a provider that requires PAR', () => {
    const redis = useRedis();
    const stack = useStack(() => ({
      redisUrl: redis().url,
      op: {
        configuration: {
          features: {
            pushedAuthorizationRequests: { enabled: true, requirePushedAuthorizationRequests: true },
          },
        },
      },
    }));

    const pendingLogins = async () => (await redis().client().keys('oar:flow:*')).length;
    it('pushes the request: the browser carries only client_id and request_uri, and the sign-in completes', async () => {
      const url = await loginLocation(stack().url('/auth/acme/login'));
      expect([...url.searchParams.keys()].sort()).toEqual(['client_id', 'request_uri']);
      expect(url.searchParams.get('request_uri')).toMatch(/^urn:ietf:params:oauth:request_uri:/);
      const res = await signIn(stack(), new Browser(), { email: 'par@example.test' });
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({ user: { email: 'par@example.test' } });
    });

    it('says which request failed when the provider refuses the push', async () => {
      stack().op.intercept = (req, res) => {
        if (req.url !== '/request') return false;
        req.resume();
        res.writeHead(400, { 'content-type': 'application/json' }).end('{"error":"invalid_request"}');
        return true;
      };
      const before = await pendingLogins();
      try {
        const res = await new Browser().request(stack().url('/auth/acme/login'), { headers: json });
        expect(res.status).toBe(502);
        expect(await res.json()).toMatchObject({ error: 'provider_error' });
        expect(stack().logs.at(-1)?.message).toMatch(/pushed authorization request failed/);
        // Nothing left behind: no pending login for a request the provider never accepted.
        expect(await pendingLogins()).toBe(before);
      } finally {
        stack().op.intercept = undefined;
      }
    });
  });

  describe('a provider that offers PAR without requiring it', () => {
    const stack = useStack(() => ({
      providers: (issuer) => ({
        acme: { issuer, clientId: 'acme-app', clientSecret: CLIENT_SECRET },
        other: {
          issuer,
          clientId: 'acme-app',
          clientSecret: CLIENT_SECRET,
          pushedAuthorizationRequests: true,
        },
      }),
    }));

    it('sends plain authorization requests by default, and pushes them when configured', async () => {
      const plain = await loginLocation(stack().url('/auth/acme/login'));
      expect(plain.searchParams.has('request_uri')).toBe(false);
      expect(plain.searchParams.get('code_challenge_method')).toBe('S256');
      const pushed = await loginLocation(stack().url('/auth/other/login'));
      expect([...pushed.searchParams.keys()].sort()).toEqual(['client_id', 'request_uri']);
      const res = await signIn(stack(), new Browser(), { provider: 'other', email: 'par2@example.test' });
      expect(res.status).toBe(200);
    });
  });
});
