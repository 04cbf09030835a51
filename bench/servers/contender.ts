/**
 * One benchmark contender in its own process: a protected route behind each library's guard.
 * BENCH_KIND: bare | floor | one-read | passport | ours | ours-before | eoc | passport-oidc. Prints "READY" when
 * listening on PORT.
 */
import '../../dev-provider/url-parse-polyfill.js';
import { RedisStore } from 'connect-redis';
import express from 'express';
import session from 'express-session';
import { Redis } from 'ioredis';
import passport from 'passport';
import type * as Library from '../../src/index.js';

const env = process.env;
// BENCH_LIBRARY points `ours` at another checkout of the library (the `ours-before` contender, bench/support.ts).
const { oauthRouter, requireAuth }: typeof Library = await import(env.BENCH_LIBRARY ?? '../../src/index.js');
const kind = env.BENCH_KIND ?? 'bare';
const port = Number(env.PORT);
const baseUrl = `http://127.0.0.1:${port}`;
const secret = 'bench-session-secret-0123456789-abcdefghij';
const app = express();
// Requests served and CPU used, read by the harness before and after each round (CPU time per request, and how
// busy the contender's core was). Counting costs every contender the same two operations.
let served = 0;
app.use((_req, _res, next) => {
  served += 1;
  next();
});
app.get('/__bench/usage', (req, res) => {
  // ?gc=1 (with --expose-gc): collect first, so heapUsed is what the process holds, not garbage awaiting collection.
  const collect = (globalThis as { gc?: () => void }).gc;
  if (req.query.gc === '1' && collect) collect();
  const cpu = process.cpuUsage();
  // `monotonicMicros` is on the clock V8's CPU profiles use, so a profile can be cut to a measured window.
  res.json({
    served,
    cpuMicros: cpu.user + cpu.system,
    at: performance.now(),
    monotonicMicros: Number(process.hrtime.bigint() / 1000n),
    rss: process.memoryUsage.rss(),
    heapUsed: process.memoryUsage().heapUsed,
  });
});
const ok = (_req: express.Request, res: express.Response) => {
  res.send('ok');
};

if (kind === 'bare') {
  app.get('/protected', ok);
} else if (kind === 'floor' || kind === 'floor-notouch' || kind === 'passport') {
  // The hand-written floor: express-session + connect-redis with their usual settings, and a session check. Its
  // usual settings touch the session (a second Redis write per request); `floor-notouch` turns that off, the fair
  // comparison with a session layer that never touches (ours: sessions are absolute).
  const redis = new Redis(env.REDIS_URL as string);
  app.use(
    session({
      secret,
      store: new RedisStore({ client: redis, prefix: 'bench:', disableTouch: kind === 'floor-notouch' }),
      resave: false,
      saveUninitialized: false,
      cookie: { httpOnly: true, sameSite: 'lax', maxAge: 30 * 86_400_000 },
    }),
  );
  if (kind === 'floor' || kind === 'floor-notouch') {
    app.get('/bench-login', (req, res) => {
      (req.session as unknown as { user: { id: string } }).user = { id: 'u1' };
      res.send('in');
    });
    app.get('/protected', (req, res) => {
      if ((req.session as unknown as { user?: unknown }).user) res.send('ok');
      else res.sendStatus(401);
    });
  } else {
    const users = new Map<string, Express.User>([
      [
        'u1',
        {
          id: 'u1',
          name: 'Bench',
          email: null,
          emailVerified: false,
          avatarUrl: null,
          createdAt: '2026-01-01T00:00:00Z',
        },
      ],
    ]);
    passport.serializeUser((user, done) => done(null, (user as { id: string }).id));
    passport.deserializeUser((id: string, done) => done(null, users.get(id) ?? false));
    app.use(passport.session());
    app.get('/bench-login', (req, res, next) => {
      req.login(users.get('u1') as Express.User, (err: unknown) => (err ? next(err) : res.send('in')));
    });
    app.get('/protected', (req, res) => {
      if (req.isAuthenticated()) res.send('ok');
      else res.sendStatus(401);
    });
  }
} else if (kind === 'one-read') {
  // The least a check of a Redis-backed session can do: verify the signed cookie, one GET, parse, pass. No session
  // object, no expiry or revocation handling, no API: a yardstick for the cost of our design, not a library.
  const { readSessionId, sessionCookieHeader } = await import('../../src/session/session-cookie.js');
  const redis = new Redis(env.REDIS_URL as string, { enableAutoPipelining: true });
  const id = 'one-read-session-0123456789abcdefghij'; // as long as a generated id (24 bytes, base64url)
  app.get('/bench-login', async (_req, res) => {
    // The shape and size of what our router stores for a signed-in user.
    const stored = {
      cookie: {
        originalMaxAge: 2_592_000_000,
        expires: new Date(Date.now() + 2_592_000_000).toISOString(),
        secure: false,
        httpOnly: true,
        path: '/',
        sameSite: 'lax',
      },
      oauth: {
        user: {
          id: '7f1c2a9e-5b0d-4c8e-9a61-3e2f4d5c6b7a',
          name: 'Bench User',
          email: 'bench@example.test',
          emailVerified: true,
          avatarUrl: null,
          createdAt: '2026-01-01T00:00:00.000Z',
        },
        provider: 'dev',
        signedInAt: Date.now(),
        scopes: { dev: ['openid', 'email', 'profile'] },
      },
    };
    await redis.set(`one-read:${id}`, JSON.stringify(stored), 'EX', 3600);
    res.setHeader('set-cookie', sessionCookieHeader('sid', id, secret, { httpOnly: true, path: '/' }));
    res.send('in');
  });
  app.use((req, _res, next) => {
    const sid = readSessionId(req.headers.cookie, 'sid', [secret]);
    if (!sid) {
      next();
      return;
    }
    redis.get(`one-read:${sid}`).then((json) => {
      const stored = json ? (JSON.parse(json) as { oauth?: { user?: Express.User } }) : undefined;
      if (stored?.oauth?.user) req.user = stored.oauth.user;
      next();
    }, next);
  });
  app.get(
    '/protected',
    (req, res, next) => {
      if (req.user) next();
      else res.sendStatus(401);
    },
    ok,
  );
} else if (kind === 'ours' || kind === 'ours-before') {
  app.use(
    oauthRouter({
      baseUrl,
      redis: env.REDIS_URL,
      keyPrefix: 'ours:',
      session: { secret, secure: false },
      providers: {
        dev: {
          issuer: env.ISSUER as string,
          clientId: 'bench-ours',
          clientSecret: 'bench-secret-0123456789',
          fetchUserInfo: env.BENCH_USERINFO !== '0',
        },
      },
      rateLimit: false,
      logger: { warn: () => {}, error: (m) => console.error(m) },
    }),
  );
  app.get('/protected', requireAuth(), ok);
} else if (kind === 'passport-oidc') {
  // passport with openid-client's own strategy, sessions in express-session + connect-redis.
  const client = await import('openid-client');
  const { Strategy } = await import('openid-client/passport');
  const redis = new Redis(env.REDIS_URL as string);
  app.use(
    session({
      secret,
      store: new RedisStore({ client: redis, prefix: 'bench-po:' }),
      resave: false,
      saveUninitialized: false,
    }),
  );
  const config = await client.discovery(
    new URL(env.ISSUER as string),
    'bench-passport',
    'bench-secret-0123456789',
    undefined,
    {
      execute: [client.allowInsecureRequests],
    },
  );
  passport.use(
    new Strategy(
      { name: 'oidc', config, scope: 'openid email profile', callbackURL: `${baseUrl}/callback` },
      (tokens, verified) =>
        verified(null, {
          ...(tokens.claims() as object),
          id: String(tokens.claims()?.sub),
        } as unknown as Express.User),
    ),
  );
  passport.serializeUser((user, done) => done(null, user));
  passport.deserializeUser((user: Express.User, done) => done(null, user));
  app.use(passport.session());
  app.get('/login', passport.authenticate('oidc'));
  app.get(
    '/callback',
    passport.authenticate('oidc', { successRedirect: '/protected', failureRedirect: '/failed' }),
  );
  app.get('/protected', (req, res) => {
    if (req.isAuthenticated()) res.send('ok');
    else res.sendStatus(401);
  });
} else if (kind === 'eoc') {
  const { auth, requiresAuth } = (await import('express-openid-connect')).default;
  app.use(
    auth({
      issuerBaseURL: env.ISSUER,
      baseURL: baseUrl,
      clientID: 'bench-eoc',
      clientSecret: 'bench-secret-0123456789',
      secret,
      authRequired: false,
      authorizationParams: { response_type: 'code', response_mode: 'query', scope: 'openid email profile' },
    }),
  );
  app.get('/protected', requiresAuth(), ok);
}

app.listen(port, '127.0.0.1', () => process.stdout.write('READY\n'));
// Exit normally on SIGINT so that --cpu-prof (BENCH_PROFILE) writes its profile.
process.on('SIGINT', () => process.exit(0));
