import type { Request } from 'express';
import { getContext, type RouterContext } from '../context.js';
import { OAuthRouterError } from '../errors.js';
import type { DisconnectOptions, ProviderAccess } from '../tokens/provider-access.js';
import type { ConnectionInfo } from '../tokens/types.js';
import { requestAccessor } from './request-accessor.js';

// Set by OAuthRequest's static block: the one way to build one, kept out of the public surface.
let createOAuthRequest: (req: Request, context: RouterContext) => OAuthRequest;

/**
 * `req.oauth`: acts for the signed-in user at their connected providers. Nothing here runs until called, so it
 * costs a request nothing when unused. Every method is that of `router.forUser(req.user.id)` (a
 * {@link ProviderAccess}), so a route and a background job get the same refresh, retry and reauth behaviour.
 *
 * @example
 * ```ts
 * app.get('/repos', requireAuth(), async (req, res) => {
 *   res.json(await (await req.oauth.fetch('github', 'https://api.github.com/user/repos')).json());
 * });
 * ```
 */
export class OAuthRequest {
  readonly #req: Request;
  readonly #context: RouterContext;
  #access: ProviderAccess | undefined;
  #accessUser: string | undefined;

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
  fetch(provider: string, url: string | URL, init: RequestInit = {}): Promise<Response> {
    return this.#forUser().fetch(provider, url, init);
  }

  /**
   * A fresh access token of the user's connection to `provider`, for SDKs that want the raw token.
   * @throws ReauthRequiredError when the user must reconnect the provider.
   */
  async token(provider: string): Promise<string> {
    return this.#forUser().token(provider);
  }

  /** The signed-in user's connections (provider, status, scopes, expiry), e.g. to show a "reconnect" banner. */
  async connections(): Promise<ConnectionInfo[]> {
    return this.#forUser().connections();
  }

  /**
   * Removes the user's connection to `provider` without ending the session.
   * @returns Whether the provider confirmed revocation.
   */
  async disconnect(provider: string, options: DisconnectOptions = {}): Promise<{ revoked: boolean }> {
    return this.#forUser().disconnect(provider, options);
  }

  /** The login route that (re)connects `provider`, relative to the app's origin. */
  loginUrl(provider: string, returnTo?: string): string {
    const base = `${this.#context.loginUrl(provider)}`;
    return returnTo ? `${base}?returnTo=${encodeURIComponent(returnTo)}` : base;
  }

  #forUser(): ProviderAccess {
    if (!this.#context.vault) {
      throw new OAuthRouterError(
        'invalid_config',
        'req.oauth needs tokenEncryption and a provider in integration mode',
      );
    }
    const userId = this.#req.user?.id;
    if (!userId) throw new OAuthRouterError('unauthenticated', 'req.oauth needs a signed-in user');
    // Built once per request and user: a route that calls several methods pays one allocation.
    if (this.#access === undefined || this.#accessUser !== userId) {
      this.#access = this.#context.providerAccess({ userId });
      this.#accessUser = userId;
    }
    return this.#access;
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
