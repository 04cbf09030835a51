import type { Request } from 'express';
import type { KvStore } from './adapters/kv-store.js';
import type { ProviderClient } from './client/provider-client.js';
import type { ResolvedConfig } from './config/types.js';
import type { BearerSessions } from './session/app-sessions.js';
import type { TokenVault } from './tokens/vault.js';
import type { UserRepository } from './users/types.js';

/** Everything a request handler of this library needs, built once by `oauthRouter()`. */
export interface RouterContext {
  config: ResolvedConfig;
  kvStore: KvStore;
  users: UserRepository;
  providerClients: Map<string, ProviderClient>;
  /** Present when tokens can be kept (tokenEncryption configured). */
  vault: TokenVault | undefined;
  /** Present when app callbacks (bearer sessions) are configured. */
  bearer: BearerSessions | undefined;
  /** The login route of a provider, relative to the origin. */
  loginUrl(provider: string): string;
  /** Set once the library has warned that Secure cookies are being dropped over plain http. */
  warnedInsecureRequest: boolean;
}

// Symbol-keyed slots on the request rather than WeakMaps: no name clash with other middleware either way, but
// a WeakMap entry per request costs the garbage collector far more (measured: about 4 µs of CPU per request for
// each map on the protected-route benchmark, mostly in ephemeron processing) than a property does.
const CONTEXT = Symbol('express-oauth-router.context');
const BEARER_FAMILY = Symbol('express-oauth-router.bearerFamily');

interface RequestSlots {
  [CONTEXT]?: RouterContext;
  [BEARER_FAMILY]?: string;
}

/** Records which router handled a request, so standalone helpers like `requireAuth()` can find its config. */
export function setContext(req: Request, context: RouterContext): void {
  (req as RequestSlots)[CONTEXT] = context;
}

/** Records that a request is authenticated by a bearer session of this family (for logout). */
export function setBearerFamily(req: Request, familyId: string): void {
  (req as RequestSlots)[BEARER_FAMILY] = familyId;
}

/** @returns The bearer session family that authenticated the request, if any. */
export function getBearerFamily(req: Request): string | undefined {
  return (req as RequestSlots)[BEARER_FAMILY];
}

/** @returns The router context of the request, or undefined when `oauthRouter()` did not see it. */
export function getContext(req: Request): RouterContext | undefined {
  return (req as RequestSlots)[CONTEXT];
}
