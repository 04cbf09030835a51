/**
 * express-oauth-router: per-user OAuth 2.0 / OpenID Connect for Express.
 * This file holds the public exports only.
 */
import './types/augment.js';

export type { KvStore } from './adapters/kv-store.js';
export { MemoryKvStore } from './adapters/memory/kv-store.js';
export { MemoryTokenRepository } from './adapters/memory/token-repository.js';
export { MemoryUserRepository } from './adapters/memory/user-repository.js';
export type { SqlClient } from './adapters/postgres/sql.js';
export {
  PostgresTokenRepository,
  type PostgresTokenRepositoryOptions,
  postgresTokenSchema,
} from './adapters/postgres/token-repository.js';
export {
  PostgresUserRepository,
  type PostgresUserRepositoryOptions,
  postgresUserSchema,
} from './adapters/postgres/user-repository.js';
export { RedisKvStore } from './adapters/redis/kv-store.js';
export { RedisTokenRepository } from './adapters/redis/token-repository.js';
export { RedisUserRepository } from './adapters/redis/user-repository.js';
export type { RedisClient } from './adapters/redis-client.js';
export type {
  AccountOptions,
  AppCallbackOptions,
  AppUser,
  HookOptions,
  Logger,
  OAuthRouterOptions,
  ProviderOptions,
  RateLimitOptions,
  RefreshOptions,
  SessionOptions,
  SignInAttempt,
  SignInVerdict,
  TokenEncryptionOptions,
  TokenEndpointAuthMethod,
} from './config/types.js';
export type { ProviderLink } from './context.js';
export {
  AccountMismatchError,
  ConfigError,
  type ErrorCode,
  InsufficientScopeError,
  OAuthRouterError,
  type OAuthRouterErrorOptions,
  ProviderUnavailableError,
  ReauthRequiredError,
  SignInDeniedError,
} from './errors.js';
export { type OAuthRouterEventMap, type OAuthRouterEventName, RouterEvents } from './events.js';
export { OAuthRequest } from './middleware/oauth-request.js';
export { type RequireAuthOptions, requireAuth } from './middleware/require-auth.js';
export { requireSameOrigin } from './middleware/same-origin.js';
export { PRESETS, type PresetName } from './providers/index.js';
export type {
  MappedProfile,
  PresetOptions,
  Profile,
  ProviderGet,
  ProviderPreset,
} from './providers/types.js';
export { type OAuthRouter, oauthRouter, type RouterUsers } from './router.js';
export type { BearerSessionTokens } from './session/app-sessions.js';
export type { UserSession } from './session/user-sessions.js';
export { type DisconnectOptions, ProviderAccess } from './tokens/provider-access.js';
export type {
  ConnectionErrorRecord,
  ConnectionHealth,
  ConnectionHealthRecord,
  ConnectionInfo,
  ConnectionRecord,
  ConnectionStatus,
  TokenRepository,
} from './tokens/types.js';
export type { Disconnected } from './tokens/vault.js';
export type { OAuthSessionData } from './types/augment.js';
export type { LinkedAccount, OAuthUser, UserRepository } from './users/types.js';
export type { UnlinkOptions } from './users/user-accounts.js';
