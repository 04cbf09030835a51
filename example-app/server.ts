/**
 * The example app. With no environment it runs on embedded defaults: in-memory stores and the built-in
 * development OpenID provider, so `npm run example` works on a fresh clone with nothing else installed.
 *
 * Environment (see .env.example): PORT, BASE_URL, REDIS_URL, SESSION_SECRET, OIDC_ISSUER, OIDC_CLIENT_ID,
 * OIDC_CLIENT_SECRET, DEV_PROVIDER_PORT, DEV_PROVIDER_HOST, DEV_PROVIDER_ISSUER.
 */
import { randomBytes } from 'node:crypto';
import express from 'express';
import { type OAuthRouterOptions, oauthRouter, requireAuth } from '../src/index.js';
import { startDevProvider } from './dev-provider/index.js';
import { errorPage, homePage } from './views.js';

const env = process.env;
const port = Number(env.PORT ?? 3000);
const baseUrl = env.BASE_URL ?? `http://localhost:${port}`;
const local = new URL(baseUrl).protocol === 'http:';

let sessionSecret = env.SESSION_SECRET;
if (!sessionSecret) {
  sessionSecret = randomBytes(32).toString('base64url');
  console.log('example: SESSION_SECRET not set, using a random one (sessions end when the app restarts)');
}

const providers: OAuthRouterOptions['providers'] = {};
if (env.OIDC_ISSUER) {
  providers.oidc = {
    issuer: env.OIDC_ISSUER,
    clientId: env.OIDC_CLIENT_ID ?? '',
    clientSecret: env.OIDC_CLIENT_SECRET,
    displayName: env.OIDC_DISPLAY_NAME ?? 'your OpenID provider',
  };
} else {
  const devPort = Number(env.DEV_PROVIDER_PORT ?? 4000);
  const dev = await startDevProvider({
    port: devPort,
    host: env.DEV_PROVIDER_HOST,
    issuer: env.DEV_PROVIDER_ISSUER,
    clients: [
      {
        client_id: 'example-app',
        client_secret: 'example-app-development-secret',
        redirect_uris: [`${baseUrl}/auth/dev/callback`],
        grant_types: ['authorization_code', 'refresh_token'],
      },
    ],
  });
  providers.dev = {
    issuer: dev.issuer,
    clientId: 'example-app',
    clientSecret: 'example-app-development-secret',
    displayName: 'the development provider',
  };
  console.log(`example: development OpenID provider at ${dev.issuer} (any name and email sign in)`);
}
if (!env.REDIS_URL) console.log('example: REDIS_URL not set, using in-memory stores (development only)');

const app = express();
app.set('trust proxy', 'loopback');
app.use(
  oauthRouter({
    baseUrl,
    redis: env.REDIS_URL,
    session: { secret: sessionSecret, secure: !local },
    providers,
    successRedirect: '/',
    failureRedirect: '/signed-out',
    logoutRedirect: '/signed-out',
  }),
);

app.get('/', (req, res) => {
  res.type('html').send(homePage(req.user, providers));
});
app.get('/signed-out', (req, res) => {
  const error = typeof req.query.error === 'string' ? req.query.error : undefined;
  res.type('html').send(error ? errorPage(error) : homePage(undefined, providers, 'You are signed out.'));
});
app.get('/me', requireAuth(), (req, res) => {
  res.json({ user: req.user });
});

app.listen(port, () => {
  console.log(`example: open ${baseUrl}`);
});
