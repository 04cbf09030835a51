/**
 * Acting at providers for one owner of connections (a user, or the app itself): the one implementation behind
 * `req.oauth`, `router.forUser(userId)` and `router.forApp()`, so all three have the same guarantees (refresh once
 * at a time across instances, refresh and retry on a 401, needs-reauth). No Express: it needs no request.
 */
import { isLoopback } from '../config/checks.js';
import type { ResolvedProvider } from '../config/types.js';
import { InsufficientScopeError, OAuthRouterError } from '../errors.js';
import { inSpan } from '../telemetry/otel.js';
import type { ConnectionInfo } from './types.js';
import type { Disconnected, TokenVault } from './vault.js';

/**
 * The owner id under which the app's own connections are stored. Owner ids starting with `@` are reserved for
 * the library (client-credentials tokens use `@client-credentials:…`), so no user id can reach them.
 */
export const APP_OWNER = '@app';

/** Whether `id` may own user connections: a non-empty string outside the reserved `@` namespace. */
export function isUserOwner(id: unknown): id is string {
  return typeof id === 'string' && id !== '' && !id.startsWith('@');
}

/** Options of {@link ProviderAccess.disconnect} (and `req.oauth.disconnect`). */
export interface DisconnectOptions {
  /** Revoke the tokens at the provider first (RFC 7009). Default: the provider's `revokeOnLogout`. */
  revoke?: boolean;
}

/** What a {@link ProviderAccess} is built from: the router's vault and providers, and whose connections. */
export interface ProviderAccessParts {
  vault: TokenVault;
  providers: ReadonlyMap<string, ResolvedProvider>;
  /** The login route that (re)connects a provider, relative to the app's origin. */
  loginUrl(provider: string): string;
  /** A user id, or {@link APP_OWNER}. */
  owner: string;
}

// Set by ProviderAccess's static block: the one way to build one, kept out of the public surface.
let buildProviderAccess: (parts: ProviderAccessParts) => ProviderAccess;

/** Builds a {@link ProviderAccess}; the router's context calls it. */
export function createProviderAccess(parts: ProviderAccessParts): ProviderAccess {
  return buildProviderAccess(parts);
}

/**
 * Calls provider APIs with the stored connections of one owner: a user (`router.forUser(userId)`, and
 * `req.oauth` for the signed-in user) or the app itself (`router.forApp()`). It needs no HTTP request, so
 * background jobs, queues and webhooks use it as route handlers use `req.oauth`, with the same guarantees:
 * an expiring token is refreshed first, one refresh at a time per connection across every instance sharing the
 * store (the Redis refresh lock); a 401 from the API refreshes once and retries once; a refresh the provider
 * refuses marks the connection `needs_reauth` and throws `ReauthRequiredError`.
 *
 * @example
 * ```ts
 * const github = auth.forUser(job.userId);
 * const res = await github.fetch('github', 'https://api.github.com/user/repos');
 * ```
 */
export class ProviderAccess {
  readonly #parts: ProviderAccessParts;

  static {
    buildProviderAccess = (parts) => new ProviderAccess(parts);
  }

  // Private so the vault stays out of the public types: use router.forUser(), router.forApp() or req.oauth.
  private constructor(parts: ProviderAccessParts) {
    this.#parts = parts;
  }

  /**
   * `fetch` with the connection's access token: adds `Authorization: Bearer <token>`, refreshing the token first
   * when it is about to expire. On a 401 it refreshes once and retries once, when the request body can be sent
   * again (not a stream).
   *
   * @param provider - The connected provider.
   * @param url - An https URL (http only on loopback), so the token never travels in clear text.
   * @param init - As for `fetch`.
   * @returns The provider's response, whatever its status, except a refusal for a missing scope.
   * @throws ReauthRequiredError when the connection must be made again (its `loginUrl` does that).
   * @throws InsufficientScopeError on a 403 that says a scope is missing (RFC 6750 `insufficient_scope`,
   *   GitHub's `X-Accepted-OAuth-Scopes`, Google's `ACCESS_TOKEN_SCOPE_INSUFFICIENT`); its `loginUrl` asks for them.
   * @throws OAuthRouterError `not_connected` when there is no connection to `provider`.
   * @example
   * ```ts
   * const res = await auth.forUser(userId).fetch('github', 'https://api.github.com/user/repos');
   * ```
   */
  async fetch(provider: string, url: string | URL, init: RequestInit = {}): Promise<Response> {
    const target = checkApiUrl(url);
    return inSpan(
      'oauth.provider_fetch',
      { 'oauth.provider': provider, 'http.request.method': (init.method ?? 'GET').toUpperCase() },
      async (span) => {
        const { vault, owner } = this.#parts;
        const token = await vault.accessToken(owner, provider);
        const first = await fetch(target, withBearer(init, token));
        span.set('http.response.status_code', first.status);
        if (first.status !== 401 || !isReplayable(init.body)) return this.#checkScope(provider, first);
        const renewed = await vault.accessToken(owner, provider, token);
        if (renewed === token) return first;
        await first.body?.cancel();
        const second = await fetch(target, withBearer(init, renewed));
        span.set('oauth.retried_after_401', true);
        span.set('http.response.status_code', second.status);
        return this.#checkScope(provider, second);
      },
      'client',
    );
  }

  async #checkScope(provider: string, res: Response): Promise<Response> {
    if (res.status !== 403) return res;
    const missing = await missingScopes(res);
    if (!missing) return res;
    await res.body?.cancel();
    const base = this.#parts.loginUrl(provider);
    const loginUrl = missing.length
      ? `${base}${base.includes('?') ? '&' : '?'}scope=${encodeURIComponent(missing.join(' '))}`
      : base;
    throw new InsufficientScopeError(provider, missing, loginUrl);
  }

  /**
   * A fresh access token of the connection to `provider`, for SDKs that want the raw token.
   *
   * @param provider - The connected provider.
   * @returns An access token that is not about to expire.
   * @throws ReauthRequiredError when the connection must be made again.
   * @example
   * ```ts
   * const octokit = new Octokit({ auth: await auth.forUser(userId).token('github') });
   * ```
   */
  async token(provider: string): Promise<string> {
    return this.#parts.vault.accessToken(this.#parts.owner, provider);
  }

  /**
   * The connections (provider, status, scopes, expiry), without secrets, e.g. to show a "reconnect" banner.
   *
   * @returns One entry per connected provider, sorted by provider.
   * @example
   * ```ts
   * const broken = (await auth.forUser(userId).connections()).filter((c) => c.status === 'needs_reauth');
   * ```
   */
  async connections(): Promise<ConnectionInfo[]> {
    return this.#parts.vault.connections(this.#parts.owner);
  }

  /**
   * Removes the connection to `provider` (for a user, without ending their session). The local copy is deleted
   * even when revocation fails.
   *
   * @param provider - The provider to disconnect.
   * @param options - Whether to revoke at the provider first.
   * @returns Whether the provider confirmed revocation, and why not (`not_supported`, `failed`) when asked and
   *   it did not.
   * @example
   * ```ts
   * await auth.forUser(userId).disconnect('github', { revoke: true });
   * ```
   * @see RFC 7009
   */
  async disconnect(provider: string, options: DisconnectOptions = {}): Promise<Disconnected> {
    const configured = this.#parts.providers.get(provider);
    if (!configured)
      throw new OAuthRouterError('unknown_provider', `No provider "${provider}" is configured`, { provider });
    return this.#parts.vault.disconnect(
      this.#parts.owner,
      provider,
      options.revoke ?? configured.revokeOnLogout,
    );
  }

  /**
   * The login route that (re)connects `provider` for this owner, relative to the app's origin (for the app's
   * connections it carries `connect=app`).
   *
   * @param provider - The provider to connect.
   * @param returnTo - Where to land afterwards (a path of the app, or an allowed origin).
   * @returns The URL to send the browser to.
   * @example
   * ```ts
   * res.redirect(req.oauth.loginUrl('github', '/settings'));
   * ```
   */
  loginUrl(provider: string, returnTo?: string): string {
    const base = this.#parts.loginUrl(provider);
    if (!returnTo) return base;
    return `${base}${base.includes('?') ? '&' : '?'}returnTo=${encodeURIComponent(returnTo)}`;
  }
}

function checkApiUrl(url: string | URL): URL {
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    throw new OAuthRouterError('invalid_request', 'oauth fetch needs an absolute URL');
  }
  if (target.protocol !== 'https:' && !(target.protocol === 'http:' && isLoopback(target))) {
    throw new OAuthRouterError(
      'invalid_request',
      'oauth fetch sends tokens only over https (or http on loopback)',
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

/**
 * The scopes a 403 says are missing, or undefined when it is not about scopes (a rate limit, a forbidden
 * resource). An empty list: a scope is missing but the provider did not say which.
 */
async function missingScopes(res: Response): Promise<string[] | undefined> {
  // RFC 6750 §3.1: WWW-Authenticate: Bearer error="insufficient_scope", scope="the scopes needed".
  const challenge = res.headers.get('www-authenticate') ?? '';
  if (/error="?insufficient_scope"?/i.test(challenge)) {
    return (/scope="([^"]*)"/i.exec(challenge)?.[1] ?? '').split(/[\s,]+/).filter(Boolean);
  }
  // GitHub: the scopes that would do (any one) and the ones the token has, on every API answer.
  const accepted = scopeList(res.headers.get('x-accepted-oauth-scopes'));
  const granted = scopeList(res.headers.get('x-oauth-scopes'));
  if (accepted.length && res.headers.has('x-oauth-scopes') && !accepted.some((s) => granted.includes(s))) {
    return accepted;
  }
  // Google APIs: a JSON error whose details carry this reason.
  if (res.headers.get('content-type')?.includes('json')) {
    const text = await res.clone().text();
    if (text.includes('ACCESS_TOKEN_SCOPE_INSUFFICIENT')) return [];
  }
  return undefined;
}

function scopeList(header: string | null): string[] {
  return (header ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}
