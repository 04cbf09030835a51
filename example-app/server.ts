/**
 * `npm run example`: the example app, configured from the environment (see .env.example). With nothing set it
 * runs on embedded defaults: in-memory stores and the built-in development OpenID provider.
 */
import { PortInUseError, startExampleApp } from './app.js';

// Settings from .env, as .env.example promises; the environment wins over the file.
try {
  process.loadEnvFile('.env');
} catch (err) {
  if ((err as { code?: unknown }).code !== 'ENOENT') throw err;
}
const env = process.env;
await startExampleApp({
  port: Number(env.PORT ?? 3000),
  baseUrl: env.BASE_URL,
  redisUrl: env.REDIS_URL,
  databaseUrl: env.DATABASE_URL,
  sessionSecret: env.SESSION_SECRET,
  tokenKey: env.TOKEN_KEY,
  oidc: env.OIDC_ISSUER
    ? {
        issuer: env.OIDC_ISSUER,
        clientId: env.OIDC_CLIENT_ID ?? '',
        clientSecret: env.OIDC_CLIENT_SECRET,
        displayName: env.OIDC_DISPLAY_NAME,
        apiUrl: env.OIDC_API_URL,
      }
    : undefined,
  devProvider: {
    port: env.DEV_PROVIDER_PORT ? Number(env.DEV_PROVIDER_PORT) : undefined,
    host: env.DEV_PROVIDER_HOST,
    issuer: env.DEV_PROVIDER_ISSUER,
  },
}).catch((err: unknown) => {
  if (!(err instanceof PortInUseError)) throw err;
  console.error(`example: ${err.message}`);
  process.exit(1);
});
