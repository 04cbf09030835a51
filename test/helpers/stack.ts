import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express, {
  type Express,
  type Response as ExpressResponse,
  type NextFunction,
  type Request,
} from 'express';
import type { ClientMetadata } from 'oidc-provider';
import { type DevProvider, type DevProviderOptions, startDevProvider } from '../../dev-provider/index.js';
import {
  type OAuthRouter,
  OAuthRouterError,
  type OAuthRouterOptions,
  oauthRouter,
  type ProviderOptions,
  requireAuth,
} from '../../src/index.js';
import { type Browser, terminateTls } from './browser.js';

export const TEST_SECRET = 'test-session-secret-that-is-long-enough-0123456789';
export const CLIENT_SECRET = 'acme-client-secret-0123456789';

/** Log lines the router wrote, so tests can assert on them (and keep the output quiet). */
export interface CapturedLog {
  level: 'warn' | 'error';
  message: string;
  details: unknown;
}

export interface StackOptions {
  /** redis:// URL; omitted means in-memory stores. */
  redisUrl?: string;
  /** App-side path prefix (the app is mounted under it), e.g. '/myapp'. */
  prefix?: string;
  /**
   * Serve the app as production does: an https baseUrl (Secure, `__Host-` cookies) in front of a plain-http
   * server, as behind a TLS-terminating proxy; test Browsers reach it through that proxy (see terminateTls).
   */
  https?: boolean;
  /** Router options merged over the defaults below. */
  router?: Partial<OAuthRouterOptions>;
  /** Provider entries by name; default one OIDC provider "acme" on the dev OP. Receives the OP issuer. */
  providers?: (issuer: string) => Record<string, ProviderOptions>;
  /** Extra oidc-provider options. */
  op?: Partial<DevProviderOptions>;
  /** Extra client metadata for the default client. */
  client?: Partial<ClientMetadata>;
  /** Replaces the OP's registered clients (given the app's base URL and mount path). */
  clients?: (baseUrl: string, mountPath: string) => ClientMetadata[];
  /** Reuse this running OP (and its registered client) instead of starting one; it is left running on close. */
  sharedOp?: DevProvider;
  /** Adds app routes after the router (before /me and the error handler). */
  routes?: (app: Express, stack: { op: DevProvider; router: OAuthRouter }) => void;
}

export interface Stack {
  baseUrl: string;
  origin: string;
  mountPath: string;
  app: Express;
  op: DevProvider;
  router: OAuthRouter;
  logs: CapturedLog[];
  /** URL of a route on the app, with the prefix. */
  url(path: string): string;
  close(): Promise<void>;
}

/** Starts the dev OP and an app with oauthRouter on real loopback ports. */
export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `${options.https ? 'https' : 'http'}://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const stopTls = options.https ? terminateTls(origin) : () => {};
  const prefix = options.prefix ?? '';
  const baseUrl = `${origin}${prefix}`;
  const mountPath = options.router?.mountPath ?? '/auth';
  const providerNames = ['acme', 'other'];
  const op =
    options.sharedOp ??
    (await startDevProvider({
      clients: options.clients?.(baseUrl, mountPath) ?? [
        {
          client_id: 'acme-app',
          client_secret: CLIENT_SECRET,
          redirect_uris: providerNames.map((p) => `${baseUrl}${mountPath}/${p}/callback`),
          grant_types: ['authorization_code', 'refresh_token', 'client_credentials'],
          response_types: ['code'],
          ...options.client,
        },
      ],
      ...options.op,
    }));
  const logs: CapturedLog[] = [];
  const providers = options.providers?.(op.issuer) ?? {
    acme: { issuer: op.issuer, clientId: 'acme-app', clientSecret: CLIENT_SECRET },
  };
  // A configuration the router refuses must not leave the server and provider of this stack running (jest would
  // then never exit).
  const router = (() => {
    try {
      return oauthRouter(routerOptions());
    } catch (err) {
      server.close();
      stopTls();
      if (!options.sharedOp) void op.close();
      throw err;
    }
  })();
  function routerOptions(): Parameters<typeof oauthRouter>[0] {
    return {
      baseUrl,
      redis: options.redisUrl,
      session: { secret: TEST_SECRET },
      providers,
      // Tests sign in many times a second from 127.0.0.1; test/security/rate-limit.test.ts turns it on.
      rateLimit: false,
      logger: {
        warn: (message, details) => logs.push({ level: 'warn', message, details }),
        error: (message, details) => logs.push({ level: 'error', message, details }),
      },
      ...options.router,
    };
  }
  const app = express();
  app.set('trust proxy', 'loopback');
  app.use(router);
  options.routes?.(app, { op, router });
  app.get('/me', requireAuth(), (req, res) => {
    res.json({ user: req.user });
  });
  app.get('/', (_req, res) => {
    res.send('home');
  });
  // Many apps write to the session before sign-in (a cart, a locale): such an anonymous session id is what a
  // session-fixation attacker obtains and plants.
  app.get('/visit', (req, res) => {
    req.session.visits = (req.session.visits ?? 0) + 1;
    res.json({ visits: req.session.visits });
  });
  // What an application's error handler would do: typed errors as JSON, never a stack.
  app.use((err: unknown, _req: Request, res: ExpressResponse, _next: NextFunction) => {
    const e =
      err instanceof OAuthRouterError
        ? err
        : new OAuthRouterError('internal_error', 'unexpected', { cause: err });
    const cause = e.cause instanceof Error ? `${e.cause.name}: ${e.cause.message}` : undefined;
    logs.push({
      level: e.status >= 500 ? 'error' : 'warn',
      message: `app: ${e.message}`,
      details: { code: e.code, cause },
    });
    res.status(e.status).json(e.toJSON());
  });
  const outer = express();
  outer.set('trust proxy', 'loopback');
  outer.use(prefix || '/', app);
  server.on('request', outer);
  return {
    baseUrl,
    origin,
    mountPath,
    app,
    op,
    router,
    logs,
    url: (path) => `${baseUrl}${path}`,
    async close() {
      await router.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      if (!options.sharedOp) await op.close();
      stopTls();
    },
  };
}

/** What the provider sends the browser back to the app with. */
export interface AuthorizationResponse {
  /** The callback URL (with query for response_mode=query). */
  url: URL;
  /** For response_mode=form_post: the form fields the provider's auto-submitting page posts. */
  form?: URLSearchParams;
}

export interface AuthorizeOptions {
  provider?: string;
  email?: string;
  name?: string;
  emailVerified?: boolean;
  returnTo?: string;
  /** More query parameters of the login route (e.g. `{ connect: 'app' }`). */
  query?: Record<string, string>;
  /** Press "Cancel" on the provider's login form. */
  deny?: boolean;
}

/**
 * Drives `browser` from the app's login route through the provider's login form, and stops right before
 * the callback request so a test can replay, tamper with, or send it from another browser.
 */
export async function authorize(
  stack: Pick<Stack, 'url' | 'mountPath' | 'origin'>,
  browser: Browser,
  options: AuthorizeOptions = {},
): Promise<AuthorizationResponse> {
  const provider = options.provider ?? 'acme';
  const login = new URL(stack.url(`${stack.mountPath}/${provider}/login`));
  if (options.returnTo !== undefined) login.searchParams.set('returnTo', options.returnTo);
  for (const [key, value] of Object.entries(options.query ?? {})) login.searchParams.set(key, value);
  const start = await browser.request(login);
  if (start.status !== 302) throw new Error(`login answered ${start.status}: ${await start.text()}`);
  const authorizationUrl = new URL(start.headers.get('location') as string);
  const interaction = await browser.follow(authorizationUrl, (next) => next.origin === stack.origin);
  // The provider remembers the browser (SSO) and answers at once, without its login form.
  if (interaction.url.origin === stack.origin && !options.deny) return { url: interaction.url };
  if (interaction.res.status !== 200)
    throw new Error(`provider answered ${interaction.res.status} at ${interaction.url}`);
  await interaction.res.text();
  const form = new URLSearchParams({
    action: options.deny ? 'deny' : 'login',
    email: options.email ?? 'ada@example.test',
    name: options.name ?? 'Ada Lovelace',
    email_verified: String(options.emailVerified ?? true),
  });
  const done = await browser.follow(interaction.url, (next) => next.origin === stack.origin, {
    method: 'POST',
    body: form,
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
  });
  if (done.url.origin === stack.origin) return { url: done.url };
  // response_mode=form_post: an HTML page with an auto-submitting form.
  const html = await done.res.text();
  const action = /<form[^>]*action="([^"]+)"/.exec(html)?.[1];
  if (!action) throw new Error(`provider did not return to the app (status ${done.res.status})`);
  const fields = new URLSearchParams();
  for (const m of html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"/g))
    fields.set(m[1] as string, decodeHtml(m[2] as string));
  return { url: new URL(decodeHtml(action)), form: fields };
}

/** Sends the authorization response to the app's callback from `browser`. */
export function sendCallback(
  browser: Browser,
  response: AuthorizationResponse,
  init: RequestInit = {},
): Promise<Response> {
  if (response.form) {
    const headers = new Headers(init.headers);
    headers.set('content-type', 'application/x-www-form-urlencoded');
    return browser.request(response.url, { ...init, method: 'POST', body: response.form, headers });
  }
  return browser.request(response.url, init);
}

/** authorize() then the callback: a full sign-in. */
export async function signIn(
  stack: Pick<Stack, 'url' | 'mountPath' | 'origin'>,
  browser: Browser,
  options: AuthorizeOptions = {},
): Promise<Response> {
  return sendCallback(browser, await authorize(stack, browser, options));
}

function decodeHtml(s: string): string {
  return s
    .replace(/&amp;/g, '&')
    .replace(/&quot;/g, '"')
    .replace(/&#x27;|&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>');
}

declare module 'express-session' {
  interface SessionData {
    visits?: number;
  }
}
