/**
 * express-oauth-router: per-user OAuth 2.0 / OpenID Connect for Express.
 * This file holds the public exports only.
 */
import './types/augment.js';

export type {
  AccountOptions,
  AppCallbackOptions,
  Logger,
  OAuthRouterOptions,
  ProviderOptions,
  RateLimitOptions,
  RefreshOptions,
  SessionOptions,
  TokenEncryptionOptions,
  TokenEndpointAuthMethod,
} from './config/types.js';
export {
  AccountMismatchError,
  ConfigError,
  type ErrorCode,
  OAuthRouterError,
  type OAuthRouterErrorOptions,
  ReauthRequiredError,
} from './errors.js';
export { type DisconnectOptions, OAuthRequest } from './middleware/oauth-request.js';
export { type RequireAuthOptions, requireAuth } from './middleware/require-auth.js';
export { requireSameOrigin } from './middleware/same-origin.js';
export { PRESETS, type PresetName } from './providers/index.js';
export type { MappedProfile, PresetOptions, Profile, ProviderPreset } from './providers/types.js';
export { type OAuthRouter, oauthRouter, type ProviderLink } from './router.js';
export type { BearerSessionTokens } from './sessions/bearer.js';
export { MemoryKvStore } from './stores/memory.js';
export type { SqlClient } from './stores/postgres.js';
export { RedisKvStore } from './stores/redis.js';
export type { RedisClient } from './stores/redis-client.js';
export type { KvStore } from './stores/types.js';
export { MemoryTokenRepository } from './tokens/memory.js';
export {
  PostgresTokenRepository,
  type PostgresTokenRepositoryOptions,
  postgresTokenSchema,
} from './tokens/postgres.js';
export { RedisTokenRepository } from './tokens/redis.js';
export type { ConnectionInfo, ConnectionRecord, ConnectionStatus, TokenRepository } from './tokens/types.js';
export type { OAuthSessionData } from './types/augment.js';
export { MemoryUserRepository } from './users/memory.js';
export {
  PostgresUserRepository,
  type PostgresUserRepositoryOptions,
  postgresUserSchema,
} from './users/postgres.js';
export { RedisUserRepository } from './users/redis.js';
export type { LinkedAccount, OAuthUser, UserRepository } from './users/types.js';
