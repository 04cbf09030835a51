/**
 * The example app as a function, so `npm run example` and the browser test start the same thing.
 * With no options it runs on embedded defaults: in-memory stores and the built-in development OpenID provider.
 */
import { randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import pg from 'pg';
import { type DevProvider, startDevProvider } from '../dev-provider/index.js';
import {
  OAuthRouterError,
  type OAuthRouterOptions,
  type OAuthUser,
  oauthRouter,
  PostgresTokenRepository,
  PostgresUserRepository,
  ReauthRequiredError,
  requireAuth,
  requireSameOrigin,
} from '../src/index.js';
import { apiPage, dashboardPage, errorPage, notConnectedPage, signInPage } from './views.js';

/** How to run the example app; every field has an embedded default. */
export interface ExampleAppOptions {
  port?: number;
  /** Public URL; default http://localhost:<port>. */
  baseUrl?: string;
  /** Redis for sessions, pending logins, users and tokens; default in-memory. */
  redisUrl?: string;
  /** PostgreSQL for users and tokens (Redis, or memory, keeps sessions and pending logins). */
  databaseUrl?: string;
  sessionSecret?: string;
  /** base64 of 32 bytes; default a random one (stored tokens are unreadable after a restart). */
  tokenKey?: string;
  /** A real OpenID provider instead of the development one. */
  oidc?: { issuer: string; clientId: string; clientSecret?: string; displayName?: string; apiUrl?: string };
  devProvider?: { port?: number; host?: string; issuer?: string };
  log?: (line: string) => void;
}

/** A port the example app needs is taken: says which variable moves it. */
export class PortInUseError extends Error {
  constructor(variable: 'PORT' | 'DEV_PROVIDER_PORT', port: number, cause: unknown) {
    const busy = (cause as { code?: unknown } | null)?.code === 'EADDRINUSE';
    super(
      busy
        ? `port ${port} is already in use: set ${variable} to a free port (e.g. ${variable}=${port + 1} npm run example)`
        : `cannot listen on port ${port} (${cause instanceof Error ? cause.message : String(cause)}): set ${variable} to another port`,
      { cause },
    );
    this.name = 'PortInUseError';
  }
}

/** A running example app. */
export interface ExampleApp {
  url: string;
  devProvider: DevProvider | undefined;
  close(): Promise<void>;
}

export async function startExampleApp(options: ExampleAppOptions = {}): Promise<ExampleApp> {
  const log = options.log ?? ((line: string) => console.log(`example: ${line}`));
  const app = express();
  app.set('trust proxy', 'loopback');
  const server: Server = await new Promise((resolve, reject) => {
    const s = app.listen(options.port ?? 3000);
    s.once('listening', () => resolve(s));
    s.once('error', (err) => reject(new PortInUseError('PORT', options.port ?? 3000, err)));
  });
  const port = (server.address() as AddressInfo).port;
  const baseUrl = options.baseUrl ?? `http://localhost:${port}`;

  let sessionSecret = options.sessionSecret;
  if (!sessionSecret) {
    sessionSecret = randomBytes(32).toString('base64url');
    log('SESSION_SECRET not set: using a random one (sessions end when the app restarts)');
  }
  let tokenKey = options.tokenKey;
  if (!tokenKey) {
    tokenKey = randomBytes(32).toString('base64');
    log('TOKEN_KEY not set: using a random one (stored provider tokens are unreadable after a restart)');
  }

  const providers: OAuthRouterOptions['providers'] = {};
  let devProvider: DevProvider | undefined;
  let apiUrl: string;
  let apiProvider: string;
  if (options.oidc) {
    providers.oidc = {
      issuer: options.oidc.issuer,
      clientId: options.oidc.clientId,
      clientSecret: options.oidc.clientSecret,
      displayName: options.oidc.displayName ?? 'your OpenID provider',
      mode: 'integration',
    };
    apiProvider = 'oidc';
    apiUrl = options.oidc.apiUrl ?? new URL('userinfo', `${options.oidc.issuer.replace(/\/$/, '')}/`).href;
  } else {
    const devPort = options.devProvider?.port ?? 4000;
    devProvider = await startDevProvider({
      port: devPort,
      host: options.devProvider?.host,
      issuer: options.devProvider?.issuer,
      clients: [
        {
          client_id: 'example-app',
          client_secret: 'example-app-development-secret',
          redirect_uris: [`${baseUrl}/auth/dev/callback`],
          post_logout_redirect_uris: [`${baseUrl}/signed-out`],
          grant_types: ['authorization_code', 'refresh_token'],
        },
      ],
      // Short-lived access tokens make the refresh visible in the demo.
      accessTokenTtlSeconds: 120,
      configuration: { rotateRefreshToken: true },
    }).catch(async (err: unknown) => {
      server.close();
      throw new PortInUseError('DEV_PROVIDER_PORT', devPort, err);
    });
    providers.dev = {
      issuer: devProvider.issuer,
      clientId: 'example-app',
      clientSecret: 'example-app-development-secret',
      displayName: 'the development provider',
      mode: 'integration',
    };
    apiProvider = 'dev';
    apiUrl = `${devProvider.issuer}/me`;
    log(`development OpenID provider at ${devProvider.issuer} (any name and email sign in)`);
  }
  if (!options.redisUrl) log('REDIS_URL not set: using in-memory stores (development only)');

  const pool = options.databaseUrl ? new pg.Pool({ connectionString: options.databaseUrl }) : undefined;
  if (pool) log('DATABASE_URL set: users and tokens are kept in PostgreSQL');
  const auth = oauthRouter({
    baseUrl,
    redis: options.redisUrl,
    userRepository: pool ? new PostgresUserRepository(pool) : undefined,
    tokenRepository: pool ? new PostgresTokenRepository(pool) : undefined,
    session: { secret: sessionSecret },
    providers,
    tokenEncryption: { keys: { k1: tokenKey }, current: 'k1' },
    successRedirect: '/',
    failureRedirect: '/signed-out',
    logoutRedirect: '/signed-out',
    logger: { warn: (m) => log(m), error: (m) => log(m) },
  });
  app.use(auth);

  app.get('/', async (req, res, next) => {
    try {
      if (!req.user) {
        res.type('html').send(signInPage(auth.providers()));
        return;
      }
      const connections = await req.oauth.connections();
      const devices = await auth.users.sessions(req.user.id, req);
      res.type('html').send(
        dashboardPage(req.user, connections, devices, auth.providers(), {
          dev: devProvider !== undefined,
          notice: req.query.notice === 'revoked' ? 'revoked' : undefined,
        }),
      );
    } catch (err) {
      next(err);
    }
  });

  app.get('/signed-out', (req, res) => {
    const error = typeof req.query.error === 'string' ? req.query.error : undefined;
    const expected = typeof req.query.expected === 'string' ? req.query.expected : undefined;
    res
      .type('html')
      .send(error ? errorPage(error, expected) : signInPage(auth.providers(), 'You are signed out.'));
  });

  app.get('/api-demo', requireAuth(), async (req, res, next) => {
    try {
      const response = await req.oauth.fetch(apiProvider, apiUrl);
      res.type('html').send(apiPage(apiUrl, response.status, await response.text()));
    } catch (err) {
      // The connection needs the user to sign in again: the dashboard shows the reconnect banner.
      if (err instanceof ReauthRequiredError) {
        res.redirect(303, '/');
        return;
      }
      // Disconnected (or never connected): say so, with the way to connect.
      if (err instanceof OAuthRouterError && err.code === 'not_connected') {
        const link = auth.providers().find((p) => p.name === apiProvider);
        res.status(409).type('html').send(notConnectedPage(link));
        return;
      }
      next(err);
    }
  });

  app.post(
    '/connections/:provider/disconnect',
    requireAuth(),
    requireSameOrigin(),
    async (req, res, next) => {
      try {
        await req.oauth.disconnect(String(req.params.provider), { revoke: true });
        res.redirect(303, '/');
      } catch (err) {
        next(err);
      }
    },
  );

  app.post('/devices/:id/sign-out', requireAuth(), requireSameOrigin(), async (req, res, next) => {
    try {
      await auth.users.endSession((req.user as OAuthUser).id, String(req.params.id));
      res.redirect(303, '/');
    } catch (err) {
      next(err);
    }
  });

  if (devProvider) {
    const dev = devProvider;
    // Development only: make the provider revoke everything, as a user removing the app's access would.
    app.post('/dev/revoke-access', requireAuth(), requireSameOrigin(), async (_req, res) => {
      await dev.revokeAll();
      res.redirect(303, '/?notice=revoked');
    });
  }

  app.get('/me', requireAuth(), (req, res) => {
    res.json({ user: req.user });
  });

  app.use(
    (
      err: { code?: string; status?: number },
      _req: express.Request,
      res: express.Response,
      _next: express.NextFunction,
    ) => {
      res
        .status(err.status ?? 500)
        .type('html')
        .send(errorPage(err.code ?? 'internal_error'));
    },
  );

  log(`open ${baseUrl}`);
  return {
    url: baseUrl,
    devProvider,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await auth.close();
      await pool?.end();
      await devProvider?.close();
    },
  };
}
