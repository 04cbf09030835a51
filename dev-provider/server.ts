/**
 * `npm run dev-provider`: the development OpenID provider on its own, for trying the README's Usage code (or your
 * own app) without an account at a real provider. It registers one client and prints the settings to use.
 * Settings: DEV_PROVIDER_PORT (default 4000), BASE_URL of your app (default http://localhost:3000), PROVIDER_NAME
 * (the key under `providers`, default acme), OIDC_CLIENT_ID and OIDC_CLIENT_SECRET (defaults below).
 */
import './url-parse-polyfill.js';
import { startDevProvider } from './index.js';

const env = process.env;
const port = Number(env.DEV_PROVIDER_PORT ?? 4000);
const baseUrl = (env.BASE_URL ?? 'http://localhost:3000').replace(/\/$/, '');
const provider = env.PROVIDER_NAME ?? 'acme';
const clientId = env.OIDC_CLIENT_ID ?? 'dev-app';
const clientSecret = env.OIDC_CLIENT_SECRET ?? 'dev-app-secret-for-local-development-only';
const redirectUri = `${baseUrl}/auth/${provider}/callback`;

try {
  const op = await startDevProvider({
    port,
    clients: [
      {
        client_id: clientId,
        client_secret: clientSecret,
        redirect_uris: [redirectUri],
        post_logout_redirect_uris: [baseUrl, `${baseUrl}/`],
        grant_types: ['authorization_code', 'refresh_token'],
      },
    ],
  });
  console.log(
    `dev-provider: an OpenID provider for development at ${op.issuer} (any name and email sign in)`,
  );
  console.log(`dev-provider: client ${clientId}, redirect URI ${redirectUri}. Start your app with:`);
  console.log(
    `  OIDC_ISSUER=${op.issuer} OIDC_CLIENT_ID=${clientId} OIDC_CLIENT_SECRET=${clientSecret} BASE_URL=${baseUrl}`,
  );
} catch (err) {
  if ((err as { code?: unknown }).code !== 'EADDRINUSE') throw err;
  console.error(`dev-provider: port ${port} is in use: set DEV_PROVIDER_PORT to a free port`);
  process.exit(1);
}
