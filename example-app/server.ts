/**
 * `npm run example`: the example app, configured from the environment (see .env.example). With nothing set it
 * runs on embedded defaults: in-memory stores and the built-in development OpenID provider.
 */
import { startExampleApp } from './app.js';

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
});
