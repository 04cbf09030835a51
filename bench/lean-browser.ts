import { Agent, request as httpRequest } from 'node:http';
import { applySetCookie, type CookieJar, cookieHeader, followRedirects } from '../test/helpers/browser.js';

/** What the sign-in walk reads of an answer; a fetch `Response` has the same shape. */
export interface Answer {
  status: number;
  headers: { get(name: string): string | null };
  text(): Promise<string>;
  arrayBuffer(): Promise<ArrayBuffer>;
}

/** What the sign-in walk needs of a browser: test/helpers/browser.ts's Browser and {@link LeanBrowser} both fit. */
export interface BrowserLike {
  readonly jar: CookieJar;
  request(url: string | URL, init?: RequestInit): Promise<Answer>;
  follow(
    url: string | URL,
    stop?: (next: URL) => boolean,
    init?: RequestInit,
  ): Promise<{ res: Answer; url: URL }>;
}

/**
 * The sign-in benchmark's browser: a cookie jar per host:port, manual redirects, and connections kept alive as a
 * browser keeps them, on node:http without building fetch Responses. In a real deployment the browsers' work
 * happens on the users' machines; here it shares the cores with what is measured, so it is kept as small as a
 * correct HTTP client allows.
 */
export class LeanBrowser implements BrowserLike {
  readonly jar: CookieJar = new Map();
  readonly #agent = new Agent({ keepAlive: true, maxSockets: 6 });

  async request(url: string | URL, init: RequestInit = {}): Promise<Answer> {
    const target = new URL(url);
    const headers: Record<string, string> = { ...(init.headers as Record<string, string> | undefined) };
    const cookie = cookieHeader(this.jar, target.host);
    if (cookie !== undefined) headers.cookie = cookie;
    const body = init.body === undefined || init.body === null ? undefined : String(init.body);
    const answer = await new Promise<{
      status: number;
      raw: Record<string, string | string[] | undefined>;
      body: Buffer;
    }>((resolve, reject) => {
      const req = httpRequest(
        target,
        { method: init.method ?? 'GET', headers, agent: this.#agent },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () =>
            resolve({ status: res.statusCode ?? 0, raw: res.headers, body: Buffer.concat(chunks) }),
          );
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(body);
    });
    for (const line of (answer.raw['set-cookie'] as string[] | undefined) ?? [])
      applySetCookie(this.jar, target.host, line);
    return {
      status: answer.status,
      headers: {
        get: (name) => {
          const value = answer.raw[name.toLowerCase()];
          return value === undefined ? null : Array.isArray(value) ? value.join(', ') : value;
        },
      },
      text: async () => answer.body.toString('utf8'),
      arrayBuffer: async () => new Uint8Array(answer.body).buffer,
    };
  }

  follow(
    url: string | URL,
    stop: (next: URL) => boolean = () => false,
    init: RequestInit = {},
  ): Promise<{ res: Answer; url: URL }> {
    return followRedirects((target, options) => this.request(target, options), url, stop, init);
  }

  /** Closes the connections this browser keeps open. */
  close(): void {
    this.#agent.destroy();
  }
}
