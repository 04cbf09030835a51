/**
 * config/ validates the options of `oauthRouter()` once, at startup, and resolves them into the
 * {@link ResolvedConfig} the rest of the library reads: defaults from `defaults.ts`, option names from
 * `option-keys.ts`, one `resolve-*.ts` per group of options. It imports only `../errors.js`, `../providers/`,
 * `../internal/` and itself, so that it can be read, and tested, without the code that uses it.
 *
 * This file is the order of the checks only: problems are reported in that order, all at once.
 */
import { ConfigError } from '../errors.js';
import { isLoopback, parseBaseUrl, parsePath, rejectUnknownKeys } from './checks.js';
import { DEFAULTS } from './defaults.js';
import { parseKeyring } from './keyring.js';
import { resolveLogger } from './logger.js';
import { TOP_LEVEL_KEYS } from './option-keys.js';
import { resolveAppCallbacks } from './resolve-app-callbacks.js';
import {
  resolveAccounts,
  resolveHooks,
  resolveRateLimit,
  resolveRefresh,
  resolveStateTtl,
} from './resolve-policies.js';
import { resolveProviders } from './resolve-provider.js';
import { resolveRedirects } from './resolve-redirects.js';
import { resolveBindingCookie, resolveSession } from './resolve-session.js';
import { checkStores, resolveKeyPrefix } from './resolve-stores.js';
import type { OAuthRouterOptions, ResolvedConfig } from './types.js';

/**
 * Validates options once at startup and fills every default from `defaults.ts`.
 * Reports every problem in one {@link ConfigError}, each naming the full path of the field and the fix.
 *
 * @param input - What the application passed to `oauthRouter()`.
 * @param env - The environment to read `NODE_ENV` from; only this module reads `process.env`.
 * @returns The resolved configuration.
 * @throws ConfigError listing every problem.
 * @example
 * ```ts
 * const config = resolveConfig({ baseUrl: 'https://app.example.com', session: { secret }, providers: { google: { clientId, clientSecret } } });
 * ```
 */
export function resolveConfig(
  input: OAuthRouterOptions,
  env: NodeJS.ProcessEnv = process.env,
): ResolvedConfig {
  const problems: string[] = [];
  const warnings: string[] = [];
  const production = env.NODE_ENV === 'production';
  if (typeof input !== 'object' || input === null) {
    throw new ConfigError(['options: expected an object: call oauthRouter({ baseUrl, session, providers })']);
  }
  rejectUnknownKeys(input, TOP_LEVEL_KEYS, '', problems);

  const baseUrl = parseBaseUrl(input.baseUrl, problems);
  const mountPath = parsePath(input.mountPath ?? DEFAULTS.mountPath, 'mountPath', problems);
  const insecureAllowed = baseUrl !== undefined && baseUrl.protocol === 'http:' && isLoopback(baseUrl);

  const session = resolveSession(input, baseUrl, insecureAllowed, production, problems);
  const providers = resolveProviders(input, baseUrl, mountPath, problems);
  checkStores(input, production, problems, warnings);
  const stateTtlSeconds = resolveStateTtl(input.stateTtlSeconds, problems);
  const redirects = resolveRedirects(input, baseUrl, mountPath, providers.keys().next().value, problems);

  const keyring = parseKeyring(input.tokenEncryption, 'tokenEncryption', problems);
  for (const provider of providers.values()) {
    if (provider.mode === 'integration' && !keyring && input.tokenEncryption === undefined) {
      problems.push(
        `providers.${provider.name}.mode is "integration" but tokenEncryption is not set: add tokenEncryption: { keys: { k1: '<openssl rand -base64 32>' }, current: 'k1' } so stored tokens are encrypted`,
      );
    }
  }
  const refresh = resolveRefresh(input.refresh, problems);
  const accounts = resolveAccounts(input.accounts, problems);
  const hooks = resolveHooks(input.hooks, problems);
  if (hooks.findOrCreateUser && input.userRepository !== undefined) {
    problems.push(
      'hooks.findOrCreateUser and userRepository are both set: findOrCreateUser makes your own users table the source of truth, so remove userRepository (or the hook)',
    );
  }
  const rateLimit = resolveRateLimit(input.rateLimit, problems);
  const appCallbacks = resolveAppCallbacks(input.appCallbacks, input.kvStore, problems);
  const keyPrefix = resolveKeyPrefix(input.keyPrefix, problems);

  if (problems.length > 0) throw new ConfigError(problems);

  const logger = resolveLogger(input.logger);
  for (const warning of warnings) logger.warn(`express-oauth-router: ${warning}`);

  return {
    baseUrl: baseUrl as URL,
    mountPath,
    redis: input.redis,
    keyPrefix,
    session: session as ResolvedConfig['session'],
    providers,
    ...redirects,
    stateTtlSeconds,
    kvStore: input.kvStore,
    userRepository: input.userRepository,
    logger,
    keyring,
    accounts,
    hooks,
    rateLimit,
    appCallbacks,
    tokenRepository: input.tokenRepository,
    refresh,
    bindingCookie: resolveBindingCookie(session?.secure, providers),
    production,
  };
}
