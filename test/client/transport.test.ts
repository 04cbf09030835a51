import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { brotliCompressSync, gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from '@jest/globals';
import { providerFetch } from '../../src/client/transport.js';
import { Browser } from '../helpers/browser.js';
import { readBody } from '../helpers/read-body.js';
import { signIn, startStack } from '../helpers/stack.js';

const servers: Server[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

async function serve(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<string> {
  const server = createServer(handler);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const manual = { redirect: 'manual' } as const;

describe('provider HTTP transport (openid-client customFetch)', () => {
  it('sends the method, headers and form body as given, and answers a standard Response', async () => {
    let seen: { method?: string; type?: string; auth?: string; body?: string } = {};
    const base = await serve(async (req, res) => {
      seen = {
        method: req.method,
        type: req.headers['content-type'],
        auth: req.headers.authorization,
        body: await readBody(req),
      };
      res.writeHead(400, 'Bad Request', { 'content-type': 'application/json', 'x-extra': 'kept' });
      res.end('{"error":"invalid_grant"}');
    });
    const res = await providerFetch(`${base}/token`, {
      ...manual,
      method: 'POST',
      headers: { authorization: 'Basic abc', accept: 'application/json' },
      body: new URLSearchParams({ grant_type: 'authorization_code', code: 'c 1' }),
    });
    expect(seen).toEqual({
      method: 'POST',
      type: 'application/x-www-form-urlencoded;charset=UTF-8',
      auth: 'Basic abc',
      body: 'grant_type=authorization_code&code=c+1',
    });
    expect(res).toBeInstanceOf(Response);
    expect(res.status).toBe(400);
    expect(res.headers.get('x-extra')).toBe('kept');
    expect(await res.clone().json()).toEqual({ error: 'invalid_grant' });
    expect(await res.text()).toBe('{"error":"invalid_grant"}');
  });

  it('does not follow redirects (openid-client asks for manual redirects)', async () => {
    const base = await serve((req, res) => {
      if (req.url === '/moved') res.writeHead(302, { location: '/elsewhere' }).end();
      else res.end('followed');
    });
    const res = await providerFetch(`${base}/moved`, manual);
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe('/elsewhere');
  });

  it('decodes gzip and brotli answers as fetch does', async () => {
    const json = JSON.stringify({ sub: 'u1', name: 'Zoë' });
    const base = await serve((req, res) => {
      const gzip = req.url === '/gzip';
      res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': gzip ? 'gzip' : 'br' });
      res.end(gzip ? gzipSync(json) : brotliCompressSync(json));
    });
    for (const path of ['/gzip', '/br']) {
      const res = await providerFetch(`${base}${path}`, manual);
      expect(res.headers.get('content-encoding')).toBeNull();
      expect(await res.json()).toEqual({ sub: 'u1', name: 'Zoë' });
    }
  });

  it('rejects, rather than hangs, on a compressed answer it cannot decode', async () => {
    const base = await serve((req, res) => {
      const corrupt = req.url === '/corrupt';
      res.writeHead(200, {
        'content-type': 'application/json',
        'content-encoding': corrupt ? 'gzip' : 'zstd',
      });
      res.end('{"not":"compressed"}');
    });
    await expect(providerFetch(`${base}/corrupt`, manual)).rejects.toThrow();
    await expect(providerFetch(`${base}/zstd`, manual)).rejects.toThrow(
      /unsupported content-encoding "zstd"/,
    );
  });

  it('refuses an answer larger than 4 MB instead of buffering it', async () => {
    const base = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      const chunk = Buffer.alloc(1024 * 1024, 0x20);
      for (let i = 0; i < 5; i++) res.write(chunk);
      res.end();
    });
    await expect(providerFetch(`${base}/huge`, manual)).rejects.toThrow(/larger than/);
  });

  it("gives up on a hung provider when the caller's signal fires, with the signal's reason", async () => {
    const base = await serve(() => {
      // Never answers.
    });
    const started = Date.now();
    const err = await providerFetch(`${base}/hang`, { ...manual, signal: AbortSignal.timeout(200) }).catch(
      (e: unknown) => e,
    );
    expect((err as Error).name).toBe('TimeoutError');
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('resends a request once when a kept-alive connection turns out closed, and only then', async () => {
    let requests = 0;
    const sockets = new Set<Socket>();
    const base = await serve((req, res) => {
      requests += 1;
      sockets.add(req.socket);
      // The second request on a reused connection: drop the connection unanswered, as a server closing an idle
      // connection at that moment does.
      if (req.url === '/drop' && (req.socket as Socket & { served?: boolean }).served) {
        req.socket.destroy();
        return;
      }
      (req.socket as Socket & { served?: boolean }).served = true;
      res.end('ok');
    });
    expect(await (await providerFetch(`${base}/first`, manual)).text()).toBe('ok');
    const res = await providerFetch(`${base}/drop`, { ...manual, method: 'POST', body: 'x=1' });
    expect(await res.text()).toBe('ok');
    expect(requests).toBe(3);
    expect(sockets.size).toBe(2);

    // A fresh connection that fails is a real failure: the request is not sent again.
    let fresh = 0;
    const failing = await serve((req) => {
      fresh += 1;
      req.socket.destroy();
    });
    await expect(
      providerFetch(`${failing}/token`, { ...manual, method: 'POST', body: 'x=1' }),
    ).rejects.toThrow();
    expect(fresh).toBe(1);
  });

  it("leaves requests to fetch once the app replaced undici's global dispatcher (e.g. an egress proxy)", async () => {
    const modes: (string | undefined)[] = [];
    const base = await serve((req, res) => {
      // fetch marks every request it sends; this transport does not.
      modes.push(req.headers['sec-fetch-mode'] as string | undefined);
      res.end('ok');
    });
    await providerFetch(`${base}/direct`, manual);
    const key = Symbol.for('undici.globalDispatcher.1');
    const global = globalThis as Record<symbol, unknown>;
    const previous = global[key];
    // Jest runs this file in its own global, so Node's fetch keeps its dispatcher; only the switch is observable.
    global[key] = { dispatch: () => false };
    try {
      await providerFetch(`${base}/via-fetch`, manual);
    } finally {
      global[key] = previous;
    }
    expect(modes).toEqual([undefined, 'cors']);
  });

  it('is replaced by providerFetch for every provider call of a sign-in', async () => {
    const calls: string[] = [];
    const stack = await startStack({
      router: {
        providerFetch: (input, init) => {
          calls.push(new URL(String(input)).pathname);
          return fetch(input, init);
        },
      },
    });
    try {
      const res = await signIn(stack, new Browser(), { email: 'fetch@example.test' });
      expect(res.status).toBe(200);
      // Discovery, the token request, the JWK Set that verifies the id_token, and UserInfo: all through it.
      expect(calls).toEqual(['/.well-known/openid-configuration', '/token', '/jwks', '/me']);
    } finally {
      await stack.close();
    }
  });
});
