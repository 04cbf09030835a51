/**
 * flow/: the inputs and state of one login: the pending login kept between /login and /callback (state, PKCE
 * verifier, nonce, single use, TTL), where to land afterwards (returnTo) and extra scopes. No openid-client
 * (client/ does the protocol) and no Express.
 */
import { createHash } from 'node:crypto';
import type { KvStore } from '../adapters/kv-store.js';
import { type AuthorizationSecrets, newAuthorizationSecrets } from '../client/authorization-url.js';
import { OAuthRouterError } from '../errors.js';

/** What the server keeps about one pending login, between the login route and the callback. */
export interface FlowState {
  provider: string;
  nonce: string;
  codeVerifier: string;
  /** SHA-256 of the browser binding cookie's value: the state is valid only from that browser. */
  bindingHash: string;
  /** Where to go after sign-in; already checked by the returnTo guard. */
  returnTo: string | undefined;
  /**
   * The user signed in when the login started: the callback links the provider to them only if the same user is
   * still signed in, so a session that appears mid-flow (or is planted) cannot redirect a link.
   */
  linkUserId: string | undefined;
  /** Scopes asked for on top of the configured ones (incremental authorization). */
  extraScopes: string[];
  /** An app callback (already allowlisted): the flow ends there with an exchange code instead of a cookie. */
  appRedirect?: string;
  /** S256 challenge of the app's verifier, binding the exchange code to the app instance that asked. */
  appChallenge?: string;
  /** `app`: the login connects the provider for the app itself (its tokens are the app's), signing nobody in. */
  connect?: 'app';
  /**
   * The login left out the consent the configuration asks for to get a refresh token: if the grant comes without
   * one and none is held, the callback goes back to the provider with consent, once.
   */
  consentRetry?: true;
  /** Milliseconds since the epoch. */
  createdAt: number;
}

/** Inputs of {@link mintFlowState}. */
export interface MintFlowStateInput {
  store: KvStore;
  keyPrefix: string;
  ttlSeconds: number;
  provider: string;
  bindingId: string;
  returnTo: string | undefined;
  linkUserId: string | undefined;
  extraScopes: string[];
  appRedirect?: string;
  appChallenge?: string;
  connect?: 'app';
  consentRetry?: true;
}

/**
 * Mints the secrets of a new login and stores them under the hash of the state, with a TTL.
 * The key is a hash so that a leaked Redis key list reveals no usable state.
 */
export async function mintFlowState(input: MintFlowStateInput): Promise<AuthorizationSecrets> {
  const secrets = newAuthorizationSecrets();
  const record: FlowState = {
    provider: input.provider,
    nonce: secrets.nonce,
    codeVerifier: secrets.codeVerifier,
    bindingHash: sha256(input.bindingId),
    returnTo: input.returnTo,
    linkUserId: input.linkUserId,
    extraScopes: input.extraScopes,
    appRedirect: input.appRedirect,
    appChallenge: input.appChallenge,
    connect: input.connect,
    consentRetry: input.consentRetry,
    createdAt: Date.now(),
  };
  await input.store.set(
    flowStateKey(input.keyPrefix, secrets.state),
    JSON.stringify(record),
    input.ttlSeconds,
  );
  return secrets;
}

/** Inputs of {@link consumeFlowState}. */
export interface ConsumeFlowStateInput {
  store: KvStore;
  keyPrefix: string;
  state: unknown;
  provider: string;
  /** The binding cookie's value from this request, if any. */
  bindingId: string | undefined;
}

/**
 * Takes the pending login for `state` (atomically, so it can be used once) and checks that it was minted
 * for this provider and this browser. Any mismatch fails with `invalid_state`; the state is burned either way.
 *
 * @returns The stored secrets and returnTo.
 */
export async function consumeFlowState(
  input: ConsumeFlowStateInput,
): Promise<FlowState & { secrets: AuthorizationSecrets }> {
  const { state } = input;
  if (typeof state !== 'string' || state.length < 20 || state.length > 512) {
    throw new OAuthRouterError('invalid_state', 'Callback without a well-formed state', {
      provider: input.provider,
    });
  }
  const json = await input.store.take(flowStateKey(input.keyPrefix, state));
  if (json === null) {
    throw new OAuthRouterError('invalid_state', 'Unknown, expired or already used state', {
      provider: input.provider,
    });
  }
  const record = JSON.parse(json) as FlowState;
  if (record.provider !== input.provider) {
    throw new OAuthRouterError('invalid_state', `State minted for provider "${record.provider}"`, {
      provider: input.provider,
    });
  }
  if (input.bindingId === undefined || sha256(input.bindingId) !== record.bindingHash) {
    throw new OAuthRouterError(
      'invalid_state',
      'State presented by a browser other than the one that started the login',
      {
        provider: input.provider,
      },
    );
  }
  return { ...record, secrets: { state, nonce: record.nonce, codeVerifier: record.codeVerifier } };
}

/** The store key of a pending login. Exported for tests and operators inspecting Redis. */
export function flowStateKey(keyPrefix: string, state: string): string {
  return `${keyPrefix}flow:${sha256(state)}`;
}

function sha256(value: string): string {
  return createHash('sha256').update(value).digest('base64url');
}
