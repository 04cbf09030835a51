/**
 * express-oauth-router: per-user OAuth 2.0 / OpenID Connect for Express.
 * This file holds the public exports only.
 */
import './types/augment.js';

export type {
  Logger,
  OAuthRouterOptions,
  ProviderOptions,
  SessionOptions,
  TokenEndpointAuthMethod,
} from './config/types.js';
export { ConfigError, type ErrorCode, OAuthRouterError, type OAuthRouterErrorOptions } from './errors.js';
export { type RequireAuthOptions, requireAuth } from './middleware/require-auth.js';
export type { Profile } from './providers/types.js';
export { type OAuthRouter, oauthRouter } from './router.js';
export { MemoryKvStore } from './stores/memory.js';
export { RedisKvStore } from './stores/redis.js';
export type { KvStore } from './stores/types.js';
export type { OAuthSessionData } from './types/augment.js';
export { MemoryUserRepository } from './users/memory.js';
export { RedisUserRepository } from './users/redis.js';
export type { LinkedAccount, OAuthUser, UserRepository } from './users/types.js';
