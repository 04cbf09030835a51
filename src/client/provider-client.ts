/**
 * `src/client/` is the only code that imports openid-client, so a bump of it touches this folder alone. One job per
 * module: discovery (and the metadata of plain OAuth 2.0 endpoints), client authentication, the token endpoint
 * quirks, the authorization URL, the code exchange with its id_token checks and the identity claims, refresh,
 * client credentials, revocation, end session, the keep-alive transport, and the mapping of openid-client's errors
 * to ours. Everything protocol-level is openid-client's; these modules only adapt it. This module holds the
 * per-provider client the others take.
 */
import type * as client from 'openid-client';
import type { ResolvedProvider, TokenEndpointAuthMethod } from '../config/types.js';
import { discover } from './discovery.js';
import { toProviderError } from './provider-errors.js';

/**
 * A provider's "do not call before" time, shared by every instance (the router's store): set when its token
 * endpoint answers 429/503 with `Retry-After`, checked before each token request.
 */
export interface TokenEndpointBackoff {
  /** @returns When the provider may be called again (ms since the epoch), or null when it may be now. */
  heldUntil(provider: string): Promise<number | null>;
  /** Holds every token request to the provider until `until` (ms since the epoch). */
  hold(provider: string, until: number): Promise<void>;
}

/** A provider's discovered configuration, fetched on first use and kept. */
export interface ProviderClient {
  readonly provider: ResolvedProvider;
  /** Where the provider's `Retry-After` waits are shared; none means this process alone remembers nothing. */
  readonly backoff: TokenEndpointBackoff | undefined;
  /** Resolves the discovered configuration; a failed discovery is retried on the next call. */
  configuration(): Promise<client.Configuration>;
  /**
   * How this client authenticates at the token endpoint: the configured method, or (when neither the app nor the
   * preset chose one) the one the provider's discovery document leaves, once discovery has run.
   */
  authMethod(): TokenEndpointAuthMethod;
  /**
   * Whether authorization requests go through Pushed Authorization Requests (RFC 9126): configured, or required by
   * the provider's metadata, once discovery has run.
   */
  pushed(): boolean;
}

/**
 * Creates a lazily-discovering client for a provider. Discovery waits for the first login so that an
 * unreachable provider at boot does not stop the app, and so that a failure is not cached.
 *
 * @param provider - The resolved provider.
 * @param backoff - Where `Retry-After` waits are shared across instances.
 * @returns The provider's client; nothing is fetched until its first use.
 * @example
 * const github = createProviderClient(config.providers.get('github'));
 * const url = await buildAuthorizationUrl(github, newAuthorizationSecrets());
 */
export function createProviderClient(
  provider: ResolvedProvider,
  backoff?: TokenEndpointBackoff,
): ProviderClient {
  let pending: Promise<client.Configuration> | undefined;
  let method = provider.tokenEndpointAuthMethod;
  let pushed = provider.pushedAuthorizationRequests ?? false;
  return {
    provider,
    backoff,
    configuration() {
      pending ??= discover(provider).then(
        (discovered) => {
          method = discovered.method;
          pushed = discovered.pushed;
          return discovered.config;
        },
        (err: unknown) => {
          pending = undefined;
          throw toProviderError(err, provider.name, 'discovery failed');
        },
      );
      return pending;
    },
    authMethod: () => method,
    pushed: () => pushed,
  };
}
