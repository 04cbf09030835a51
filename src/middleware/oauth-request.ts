import type { Request } from 'express';
import { isLoopback } from '../config/checks.js';
import { getContext, type RouterContext } from '../context.js';
import { OAuthRouterError } from '../errors.js';
import type { ConnectionInfo } from '../tokens/types.js';
import type { TokenVault } from '../tokens/vault.js';
import { requestAccessor } from './request-accessor.js';

/** Options of {@link OAuthRequest.disconnect}. */
export interface DisconnectOptions {
  /** Revoke the tokens at the provider first (RFC 7009). Default: the provider's `revokeOnLogout`. */
  revoke?: boolean;
}

// Set by OAuthRequest's static block: the one way to build one, kept out of the public surface.
let createOAuthRequest: (req: Request, context: RouterContext) => OAuthRequest;

/**
 * `req.oauth`: acts for the signed-in user at their connected providers. Nothing here runs until called, so it
 * costs a request nothing when unused.
 */
export class OAuthRequest {
  readonly #req: Request;
  readonly #context: RouterContext;

  static {
    createOAuthRequest = (req, context) => new OAuthRequest(req, context);
  }

  // Private so the router's context stays out of the public types: the only way in is the first read of
  // `req.oauth` on a request that passed through `oauthRouter()`.
  private constructor(req: Request, context: RouterContext) {
    this.#req = req;
    this.#context = context;
  }

  /**
   * `fetch` as the signed-in user: adds `Authorization: Bearer <token>`, refreshing the token first when it is
   * about to expire. On a 401 it refreshes once and retries once, when the request body can be sent again.
   *
   * @param provider - The connected provider.
   * @param url - An https URL (http only on loopback), so the token never travels in clear text.
   * @param init - As for `fetch`.
   * @returns The provider's response, whatever its status.
   * @throws ReauthRequiredError when the user must reconnect the provider.
   * @example
   * ```ts
   * const res = await req.oauth.fetch('github', 'https://api.github.com/user/repos');
   * ```
   */
  async fetch(provider: string, url: string | URL, init: RequestInit = {}): Promise<Response> {
    const target = checkApiUrl(url);
    const { vault, userId } = this.#forUser();
    const token = await vault.accessToken(userId, provider);
    const first = await fetch(target, withBearer(init, token));
    if (first.status !== 401 || !isReplayable(init.body)) return first;
    const renewed = await vault.accessToken(userId, provider, token);
    if (renewed === token) return first;
    await first.body?.cancel();
    return fetch(target, withBearer(init, renewed));
  }

  /**
   * A fresh access token of the user's connection to `provider`, for SDKs that want the raw token.
   * @throws ReauthRequiredError when the user must reconnect the provider.
   */
  async token(provider: string): Promise<string> {
    const { vault, userId } = this.#forUser();
    return vault.accessToken(userId, provider);
  }

  /** The signed-in user's connections (provider, status, scopes, expiry), e.g. to show a "reconnect" banner. */
  async connections(): Promise<ConnectionInfo[]> {
    const { vault, userId } = this.#forUser();
    return vault.connections(userId);
  }

  /**
   * Removes the user's connection to `provider` without ending the session.
   * @returns Whether the provider confirmed revocation.
   */
  async disconnect(provider: string, options: DisconnectOptions = {}): Promise<{ revoked: boolean }> {
    const { vault, userId } = this.#forUser();
    const configured = this.#context.config.providers.get(provider);
    if (!configured)
      throw new OAuthRouterError('unknown_provider', `No provider "${provider}" is configured`, { provider });
    return vault.disconnect(userId, provider, options.revoke ?? configured.revokeOnLogout);
  }

  /** The login route that (re)connects `provider`, relative to the app's origin. */
  loginUrl(provider: string, returnTo?: string): string {
    const base = `${this.#context.loginUrl(provider)}`;
    return returnTo ? `${base}?returnTo=${encodeURIComponent(returnTo)}` : base;
  }

  #forUser(): { vault: TokenVault; userId: string } {
    const vault = this.#context.vault;
    if (!vault) {
      throw new OAuthRouterError(
        'invalid_config',
        'req.oauth needs tokenEncryption and a provider in integration mode',
      );
    }
    const userId = this.#req.user?.id;
    if (!userId) throw new OAuthRouterError('unauthenticated', 'req.oauth needs a signed-in user');
    return { vault, userId };
  }
}

const OAUTH = Symbol('express-oauth-router.oauth');
type WithOAuth = Request & { [OAUTH]?: OAuthRequest };

/**
 * Makes `req.oauth` available on requests that passed through `oauthRouter()`. It is built on first read, so the
 * many requests that never use it cost no allocation.
 */
export const ensureOAuthAccessor = requestAccessor<OAuthRequest>('oauth', {
  get(req) {
    const request = req as WithOAuth;
    const built = request[OAUTH];
    if (built) return built;
    const context = getContext(request);
    if (!context) return undefined;
    request[OAUTH] = createOAuthRequest(request, context);
    return request[OAUTH];
  },
});

function checkApiUrl(url: string | URL): URL {
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    throw new OAuthRouterError('invalid_request', 'req.oauth.fetch needs an absolute URL');
  }
  if (target.protocol !== 'https:' && !(target.protocol === 'http:' && isLoopback(target))) {
    throw new OAuthRouterError(
      'invalid_request',
      'req.oauth.fetch sends tokens only over https (or http on loopback)',
    );
  }
  return target;
}

function withBearer(init: RequestInit, token: string): RequestInit {
  const headers = new Headers(init.headers);
  headers.set('authorization', `Bearer ${token}`);
  return { ...init, headers };
}

// A stream can be read once; everything else fetch accepts can be sent again for the retry.
function isReplayable(body: RequestInit['body']): boolean {
  return body === undefined || body === null || !(body instanceof ReadableStream);
}
