/**
 * The HTTP transport openid-client uses to reach providers (its `customFetch` hook): node:http(s) with keep-alive
 * connections, answering with a standard `Response`.
 *
 * Why not the global fetch: Node's built-in fetch spends much CPU per call (request and response web streams,
 * abort plumbing, a structured clone per body), the largest single cost of a sign-in in our profiles; node:http
 * does the same exchange for a fraction (figures in bench/RESULTS.md). The trade-off is
 * this small module: it carries no protocol logic (openid-client builds, sends and validates every request), it
 * never follows redirects (openid-client asks for `redirect: 'manual'` on every call), and it hands any request it
 * does not handle exactly like fetch to fetch itself: streamed bodies, redirect-following calls, and every call
 * once the app has replaced undici's global dispatcher (an egress proxy, say), which only fetch honours. A
 * dispatcher installed before this module loads (a preloaded script) cannot be told from the default: such apps
 * pass `providerFetch: fetch`.
 */
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { brotliDecompressSync, gunzipSync, inflateSync } from 'node:zlib';
import type { ResolvedProvider } from '../config/types.js';

/** Largest provider answer kept in memory; metadata, JWKS, tokens and profiles are a few kilobytes. */
const MAX_BODY_BYTES = 4 * 1024 * 1024;

/**
 * Idle connections close after this long, under the 5 s keep-alive of Node and most servers, so a request is
 * rarely sent on a connection the server is closing.
 */
const IDLE_SOCKET_MS = 4_000;

const agents = {
  'http:': new HttpAgent({ keepAlive: true, timeout: IDLE_SOCKET_MS }),
  'https:': new HttpsAgent({ keepAlive: true, timeout: IDLE_SOCKET_MS }),
};

/** Where undici keeps the dispatcher fetch uses; `setGlobalDispatcher` (a proxy agent, say) replaces it. */
const GLOBAL_DISPATCHER = Symbol.for('undici.globalDispatcher.1');
const globals = globalThis as Record<symbol, unknown>;
// Touching Headers loads Node's fetch implementation, which installs its default dispatcher: the one to compare with.
void Headers;
const defaultDispatcher = globals[GLOBAL_DISPATCHER];

/** A fetch-compatible function for openid-client's `customFetch`: see the module comment. */
export const providerFetch: typeof fetch = async (input, init = {}) => {
  const body = init.body;
  const plainBody =
    body === undefined ||
    body === null ||
    typeof body === 'string' ||
    body instanceof URLSearchParams ||
    body instanceof Uint8Array;
  if (
    input instanceof Request ||
    init.redirect !== 'manual' ||
    !plainBody ||
    globals[GLOBAL_DISPATCHER] !== defaultDispatcher
  ) {
    return fetch(input, init);
  }
  const url = new URL(String(input));
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return fetch(input, init);
  const headers: Record<string, string> = {};
  new Headers(init.headers).forEach((value, name) => {
    headers[name] = value;
  });
  if (body instanceof URLSearchParams) {
    headers['content-type'] ??= 'application/x-www-form-urlencoded;charset=UTF-8';
  } else if (typeof body === 'string') {
    headers['content-type'] ??= 'text/plain;charset=UTF-8';
  }
  const payload = body instanceof URLSearchParams ? body.toString() : (body ?? undefined);
  const method = init.method ?? 'GET';
  const signal = init.signal ?? undefined;
  try {
    return await send(url, method, headers, payload, signal);
  } catch (err) {
    // A kept-alive connection the server closed as we reused it: the request never reached the server
    // (Node's documented retry case), so sending it once more on a fresh connection is safe.
    if (!(err instanceof StaleConnectionError)) throw err;
    return send(url, method, headers, payload, signal);
  }
};

class StaleConnectionError extends Error {}

function send(
  url: URL,
  method: string,
  headers: Record<string, string>,
  payload: string | Uint8Array | undefined,
  signal: AbortSignal | undefined,
): Promise<Response> {
  const secure = url.protocol === 'https:';
  return new Promise((resolve, reject) => {
    const fail = (err: unknown) => reject(signal?.aborted ? signal.reason : err);
    const req = (secure ? httpsRequest : httpRequest)(
      url,
      { method, headers, agent: agents[secure ? 'https:' : 'http:'], signal },
      (res) => {
        // toResponse throws on a body it cannot decode: that must reject too, not leave the call hanging.
        readBody(res)
          .then((bytes) => toResponse(res, bytes))
          .then(resolve, fail);
      },
    );
    req.on('error', (err: NodeJS.ErrnoException) => {
      if (req.reusedSocket && err.code === 'ECONNRESET' && !signal?.aborted) {
        reject(new StaleConnectionError(err.message));
      } else {
        fail(err);
      }
    });
    req.end(payload);
  });
}

function readBody(res: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    res.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        res.destroy(new Error(`provider answer larger than ${MAX_BODY_BYTES} bytes`));
        return;
      }
      chunks.push(chunk);
    });
    res.on('end', () => resolve(Buffer.concat(chunks, size)));
    res.on('error', reject);
    res.on('close', () => {
      if (!res.complete) reject(new Error('provider closed the connection mid-answer'));
    });
  });
}

/** Statuses whose responses carry no body (the Response constructor refuses one). */
const NULL_BODY = new Set([101, 103, 204, 205, 304]);

function toResponse(res: IncomingMessage, bytes: Buffer): Response {
  const headers = new Headers();
  const raw = res.rawHeaders;
  for (let i = 0; i < raw.length; i += 2) headers.append(raw[i] as string, raw[i + 1] as string);
  const status = res.statusCode ?? 502;
  // fetch decodes compressed answers; so do we, then the headers describe the decoded body as fetch's do.
  const encoding = headers.get('content-encoding')?.trim().toLowerCase();
  let body: Buffer = bytes;
  if (encoding && encoding !== 'identity' && bytes.length > 0) {
    body = decode(encoding, bytes);
    headers.delete('content-encoding');
    headers.delete('content-length');
  }
  return new Response(NULL_BODY.has(status) ? null : body, {
    status,
    statusText: res.statusMessage,
    headers,
  });
}

function decode(encoding: string, bytes: Buffer): Buffer {
  switch (encoding) {
    case 'gzip':
    case 'x-gzip':
      return gunzipSync(bytes, { maxOutputLength: MAX_BODY_BYTES });
    case 'deflate':
      return inflateSync(bytes, { maxOutputLength: MAX_BODY_BYTES });
    case 'br':
      return brotliDecompressSync(bytes, { maxOutputLength: MAX_BODY_BYTES });
    default:
      throw new Error(`provider answer has an unsupported content-encoding "${encoding}"`);
  }
}

/**
 * The fetch for a provider's calls: the app's `providerFetch` when set, else the keep-alive transport.
 *
 * @param provider - The resolved provider.
 * @returns The fetch openid-client uses for this provider.
 * @example
 * config[client.customFetch] = transportOf(provider);
 */
export function transportOf(provider: ResolvedProvider): typeof fetch {
  return provider.fetch ?? providerFetch;
}
