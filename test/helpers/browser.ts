import { request as httpRequest } from 'node:http';

/**
 * A minimal browser for protocol tests: real HTTP over node:http (fetch would force Sec-Fetch-Mode: cors), a cookie
 * jar per host:port, manual redirects (so each hop can be inspected or tampered with). Cookie paths and expiry are
 * honoured only as far as the flows need: Max-Age=0 / past Expires delete.
 */
export class Browser {
  readonly jar: CookieJar = new Map();

  /** Sends one request with this browser's cookies for the URL's host, storing any Set-Cookie it gets back. */
  async request(url: string | URL, init: RequestInit = {}): Promise<Response> {
    let target = new URL(url);
    const headers = new Headers(init.headers);
    if (target.protocol === 'https:' && tlsTerminated.has(target.origin)) {
      // What a TLS-terminating proxy in front of the app does: plain http behind it, and the header saying why.
      if (!headers.has('x-forwarded-proto')) headers.set('x-forwarded-proto', 'https');
      target = new URL(`http:${target.href.slice('https:'.length)}`);
    }
    const cookie = cookieHeader(this.jar, target.host);
    if (cookie !== undefined && !headers.has('cookie')) headers.set('cookie', cookie);
    const res = await send(target, init.method ?? 'GET', headers, init.body);
    for (const line of res.headers.getSetCookie()) applySetCookie(this.jar, target.host, line);
    return res;
  }

  /** Follows redirects from `url` until a response is not a redirect or `stop(url)` says to stop. */
  follow(
    url: string | URL,
    stop: (next: URL) => boolean = () => false,
    init: RequestInit = {},
  ): Promise<{ res: Response; url: URL }> {
    return followRedirects((target, options) => this.request(target, options), url, stop, init);
  }

  /** The value of a cookie this browser holds for a host, if any. */
  cookie(host: string, name: string): string | undefined {
    return this.jar.get(host)?.get(name);
  }

  /** Sets (or with undefined, removes) a cookie by hand, as an attacker controlling this browser could. */
  setCookie(host: string, name: string, value: string | undefined): void {
    putCookie(this.jar, host, name, value);
  }
}

/** https origins whose app listens on plain http behind a (simulated) TLS-terminating proxy on the same port. */
const tlsTerminated = new Set<string>();

/**
 * Serves `httpsOrigin` as a TLS-terminating proxy would: a Browser's requests there go to the plain-http server on
 * the same host and port with `X-Forwarded-Proto: https`. Returns the function that stops it.
 */
export function terminateTls(httpsOrigin: string): () => void {
  tlsTerminated.add(httpsOrigin);
  return () => tlsTerminated.delete(httpsOrigin);
}

/** Cookies by host:port, then by name. */
export type CookieJar = Map<string, Map<string, string>>;

/** The Cookie header `jar` sends to `host`, or undefined when it holds no cookie there. */
export function cookieHeader(jar: CookieJar, host: string): string | undefined {
  const cookies = jar.get(host);
  if (!cookies || cookies.size === 0) return undefined;
  return [...cookies].map(([k, v]) => `${k}=${v}`).join('; ');
}

/** Applies one Set-Cookie line to `jar`: stores the cookie, or deletes it when Max-Age=0 or Expires is past. */
export function applySetCookie(jar: CookieJar, host: string, line: string): void {
  const semicolon = line.indexOf(';');
  const pair = semicolon === -1 ? line : line.slice(0, semicolon);
  const eq = pair.indexOf('=');
  const name = pair.slice(0, eq).trim();
  const attributes = semicolon === -1 ? '' : line.slice(semicolon).toLowerCase();
  const expires = /;\s*expires=([^;]*)/.exec(attributes)?.[1];
  const expired =
    /;\s*max-age=0(;|$)/.test(attributes) || (expires !== undefined && Date.parse(expires) < Date.now());
  putCookie(jar, host, name, expired ? undefined : pair.slice(eq + 1).trim());
}

function putCookie(jar: CookieJar, host: string, name: string, value: string | undefined): void {
  const cookies = jar.get(host) ?? new Map<string, string>();
  if (value === undefined) cookies.delete(name);
  else cookies.set(name, value);
  jar.set(host, cookies);
}

/** One HTTP request with exactly the given headers, answered as a fetch Response (3xx not followed). */
export function send(
  url: URL,
  method: string,
  headers: Headers,
  body?: RequestInit['body'],
): Promise<Response> {
  const payload = body === undefined || body === null ? undefined : String(body);
  if (payload !== undefined && !headers.has('content-type')) headers.set('content-type', 'text/plain');
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method, headers: Object.fromEntries(headers), agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const out = new Headers();
        for (const [k, v] of Object.entries(res.headers)) {
          for (const item of Array.isArray(v) ? v : [v ?? '']) out.append(k, item);
        }
        const status = res.statusCode ?? 500;
        const nullBody = status === 204 || status === 304 || method === 'HEAD';
        resolve(new Response(nullBody ? null : Buffer.concat(chunks), { status, headers: out }));
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(payload);
  });
}

/** An answer as far as following redirects needs it (a fetch Response, or the bench's lighter one). */
export interface RedirectAnswer {
  status: number;
  headers: { get(name: string): string | null };
  arrayBuffer(): Promise<ArrayBuffer>;
}

/**
 * Sends `url` with `request`, then follows redirects (at most 20, GET, the body of each drained) until an answer is
 * not a redirect or `stop(next)` says to stop at the next URL.
 */
export async function followRedirects<A extends RedirectAnswer>(
  request: (url: URL, init?: RequestInit) => Promise<A>,
  url: string | URL,
  stop: (next: URL) => boolean,
  init: RequestInit,
): Promise<{ res: A; url: URL }> {
  let current = new URL(url);
  let res = await request(current, init);
  for (let hops = 0; hops < 20 && res.status >= 300 && res.status < 400; hops++) {
    const location = res.headers.get('location');
    if (!location) break;
    const next = new URL(location, current);
    if (stop(next)) return { res, url: next };
    await res.arrayBuffer();
    current = next;
    res = await request(current);
  }
  return { res, url: current };
}
