/**
 * tokens/: the domain of stored provider tokens: sealing them (AES-256-GCM with key ids), the connection records
 * the token repository keeps, and the vault that hands out a fresh access token, refreshing once at a time per
 * connection. No Express, no driver (adapters/ hold the repositories).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { clientCredentialsToken } from '../client/client-credentials.js';
import type { ProviderClient } from '../client/provider-client.js';
import { refreshTokens } from '../client/refresh.js';
import { revokeToken } from '../client/revocation.js';
import type { TokenResponse } from '../client/token-response.js';
import type { Keyring } from '../config/keyring.js';
import type { Logger } from '../config/types.js';
import { OAuthRouterError, ReauthRequiredError } from '../errors.js';
import type { RouterEvents } from '../events.js';
import { inSpan, type SpanAttributes } from '../telemetry/otel.js';
import type { RefreshLock } from './refresh-lock.js';
import { open, seal } from './sealing.js';
import type {
  ConnectionHealthRecord,
  ConnectionInfo,
  ConnectionRecord,
  ConnectionStatus,
  TokenRepository,
  TokenSet,
} from './types.js';

/**
 * What a disconnect did at the provider: `revoked` when it confirmed; otherwise `reason` says whether the
 * provider has no revocation (`not_supported`) or it failed (`failed`); neither when revocation was not asked.
 */
export interface Disconnected {
  revoked: boolean;
  reason?: 'not_supported' | 'failed';
}

/** How often a caller waiting for another instance's refresh looks at the record again. */
const POLL_MS = 25;

/** What {@link TokenVault} is built from. */
export interface TokenVaultOptions {
  repository: TokenRepository;
  keyring: Keyring;
  lock: RefreshLock;
  /** Prefix of lock keys. */
  lockPrefix: string;
  providerClients: ReadonlyMap<string, ProviderClient>;
  /** The login route that reconnects a provider for an owner (a user or the app), for {@link ReauthRequiredError.loginUrl}. */
  loginUrl(provider: string, owner: string): string;
  /** Refresh this many seconds before the access token expires. */
  skewSeconds: number;
  /** How long one refresh may hold the lock; a dead holder blocks others at most this long. */
  lockTtlMs: number;
  logger: Logger;
  /** Where refreshes, connection changes and revocations are told (the router's events). */
  events?: RouterEvents;
  now?: () => number;
}

/** What a renewal needs to know besides the connection: how to get new tokens, and whether none may exist yet. */
interface RenewStrategy {
  /** The access token a resource server just refused, if that is why we renew. */
  rejected: string | undefined;
  /** Gets new tokens from the provider. */
  obtain(current: TokenSet | null): Promise<TokenResponse>;
  /** Client credentials start from nothing; a user connection must exist. */
  createIfMissing: boolean;
}

type Loaded = { record: ConnectionRecord; tokens: TokenSet };

/**
 * Keeps users' provider tokens sealed in a {@link TokenRepository} and hands out fresh access tokens. Renewal runs
 * once per connection at a time: callers in this process share one promise, and across processes a lock with a
 * TTL elects one refresher while the others watch the record for the new version. The repository's
 * compare-and-set on the version fences out a refresher whose lock expired.
 */
export class TokenVault {
  readonly #o: TokenVaultOptions;
  readonly #now: () => number;
  readonly #inflight = new Map<string, Promise<TokenSet>>();

  /** @param options - Repository, keys, lock and providers. */
  constructor(options: TokenVaultOptions) {
    this.#o = options;
    this.#now = options.now ?? Date.now;
  }

  /**
   * Stores the tokens of a completed authorization (sign-in or reconnect), marking the connection active.
   * A response without a refresh token keeps the one already stored (some providers send it only once).
   */
  async saveGrant(
    userId: string,
    provider: string,
    response: TokenResponse,
    requestedScopes: string[],
  ): Promise<void> {
    for (let attempt = 0; attempt < 5; attempt++) {
      const current = await this.#o.repository.get(userId, provider);
      const previous = current ? this.#tryOpen(current) : null;
      const record = this.#build(userId, provider, current, response, previous, requestedScopes, 'grant');
      if (await this.#o.repository.put(record, current?.version ?? null)) {
        if (!current) this.#o.events?.emit('connectionCreated', { userId, provider });
        if (record.health?.hasRefreshToken === false && record.expiresAt !== null) {
          this.#tellRefreshTokenMissing(userId, provider);
        }
        return;
      }
    }
    throw new OAuthRouterError(
      'internal_error',
      `${provider}: could not store the connection (concurrent writers)`,
      { provider },
    );
  }

  /**
   * A usable access token for the user's connection, refreshed first when it expires within the skew, or when
   * it is `rejected` (a resource server answered 401 with it).
   * @throws ReauthRequiredError when the connection needs the user to sign in again.
   * @throws OAuthRouterError `not_connected`, or `provider_error` for a transient refresh failure (the stored
   *   refresh token is kept, so a later call can succeed).
   */
  async accessToken(userId: string, provider: string, rejected?: string): Promise<string> {
    const { record, tokens } = await this.#load(userId, provider);
    if (!this.#stale(record, tokens, rejected)) return tokens.accessToken;
    const providerClient = this.#client(provider);
    const fresh = await this.#singleFlight(userId, provider, {
      rejected,
      createIfMissing: false,
      obtain: async (current) => {
        if (!current?.refreshToken) throw this.#reauth(userId, provider);
        return refreshTokens(providerClient, current.refreshToken);
      },
    });
    return fresh.accessToken;
  }

  /**
   * A client-credentials access token for the app itself, cached (sealed) in the repository until shortly before
   * it expires and renewed once at a time across instances, like user tokens.
   * @see RFC 6749 §4.4
   */
  async clientCredentials(provider: string, scopes: string[]): Promise<string> {
    const providerClient = this.#client(provider);
    const owner = `@client-credentials:${[...scopes].sort().join(' ')}`;
    const current = await this.#o.repository.get(owner, provider);
    if (current) {
      const tokens = this.#tryOpen(current);
      if (tokens && !this.#stale(current, tokens, undefined)) return tokens.accessToken;
    }
    const fresh = await this.#singleFlight(owner, provider, {
      rejected: undefined,
      createIfMissing: true,
      obtain: () => clientCredentialsToken(providerClient, scopes),
    });
    return fresh.accessToken;
  }

  /**
   * Whether the user's connection is active and holds a refresh token, read from the record's health (records
   * from before health was kept are opened to look).
   */
  async holdsRefreshToken(userId: string, provider: string): Promise<boolean> {
    const record = await this.#o.repository.get(userId, provider);
    if (record?.status !== 'active') return false;
    if (record.health) return record.health.hasRefreshToken;
    return Boolean(this.#tryOpen(record)?.refreshToken);
  }

  /** The user's connections, without secrets. */
  async connections(userId: string): Promise<ConnectionInfo[]> {
    const records = await this.#o.repository.listByUser(userId);
    return records.map((r) => this.#info(r)).sort((a, b) => a.provider.localeCompare(b.provider));
  }

  /**
   * Removes a connection, first revoking its tokens at the provider when asked and possible (RFC 7009). The local
   * copy is deleted even if revocation fails, since the user asked to disconnect; the failure is logged.
   * @returns Whether the provider confirmed the revocation and, when it did not, why: it offers none
   *   (`not_supported`), or it failed (`failed`, logged).
   */
  async disconnect(userId: string, provider: string, revoke: boolean): Promise<Disconnected> {
    const record = await this.#o.repository.get(userId, provider);
    if (!record) return { revoked: false };
    let revoked = false;
    let reason: Disconnected['reason'];
    if (revoke) {
      const tokens = this.#tryOpen(record);
      const providerClient = this.#client(provider);
      try {
        if (tokens?.refreshToken)
          revoked = await revokeToken(providerClient, tokens.refreshToken, 'refresh_token');
        if (tokens)
          revoked = (await revokeToken(providerClient, tokens.accessToken, 'access_token')) || revoked;
        this.#o.events?.emit('revocation', { userId, provider, outcome: revoked ? 'ok' : 'not_supported' });
        if (!revoked) reason = 'not_supported';
      } catch (err) {
        revoked = false;
        reason = 'failed';
        this.#o.events?.emit('revocation', { userId, provider, outcome: 'failed' });
        this.#o.logger.warn(
          `express-oauth-router: ${provider}: token revocation failed; the connection is removed locally`,
          {
            code: err instanceof OAuthRouterError ? err.code : 'internal_error',
          },
        );
      }
    }
    await this.#o.repository.delete(userId, provider);
    this.#o.events?.emit('connectionRemoved', { userId, provider });
    return reason ? { revoked, reason } : { revoked };
  }

  #singleFlight(userId: string, provider: string, strategy: RenewStrategy): Promise<TokenSet> {
    const key = `${userId}\u0000${provider}`;
    const running = this.#inflight.get(key);
    if (running) return running;
    const promise = inSpan(
      'oauth.refresh',
      {
        'oauth.provider': provider,
        'oauth.grant': strategy.createIfMissing ? 'client_credentials' : 'refresh_token',
      },
      (span) => this.#renew(userId, provider, strategy, span),
    ).finally(() => this.#inflight.delete(key));
    this.#inflight.set(key, promise);
    return promise;
  }

  async #renew(
    userId: string,
    provider: string,
    strategy: RenewStrategy,
    span: SpanAttributes,
  ): Promise<TokenSet> {
    const lockKey = `${this.#o.lockPrefix}refresh-lock:{${userId}}:${provider}`;
    const started = this.#now();
    // Whether this call renewed the tokens, or another instance (or an earlier holder) did while it waited.
    const settle = (tokens: TokenSet, refreshed: boolean) => {
      span.set('oauth.refreshed', refreshed);
      span.set('oauth.refresh.wait_ms', this.#now() - started);
      return tokens;
    };
    // A waiter gives up only after a dead holder's lock would have expired and a new holder had time to finish.
    const deadline = this.#now() + 2 * this.#o.lockTtlMs + 1_000;
    for (;;) {
      const loaded = await this.#loadForRenewal(userId, provider, strategy);
      if (loaded && !this.#stale(loaded.record, loaded.tokens, strategy.rejected))
        return settle(loaded.tokens, false);
      const lockToken = await this.#o.lock.acquire(lockKey, this.#o.lockTtlMs);
      if (lockToken) {
        span.set('oauth.refresh.lock_wait_ms', this.#now() - started);
        try {
          const outcome = await this.#renewHoldingLock(userId, provider, strategy);
          if (outcome) return settle(outcome.tokens, outcome.refreshed);
        } finally {
          await this.#o.lock.release(lockKey, lockToken).catch(() => {
            // The lock expires by itself; a failed release only delays the next refresh by its TTL.
          });
        }
        continue;
      }
      if (this.#now() > deadline) {
        throw new OAuthRouterError(
          'provider_error',
          `${provider}: timed out waiting for a token refresh in another instance`,
          {
            provider,
          },
        );
      }
      await sleep(POLL_MS);
    }
  }

  /**
   * @returns The tokens (renewed here, or by the previous holder of the lock), or null to start over (the record
   * changed under us).
   */
  async #renewHoldingLock(
    userId: string,
    provider: string,
    strategy: RenewStrategy,
  ): Promise<{ tokens: TokenSet; refreshed: boolean } | null> {
    // Read again under the lock: the previous holder may have just refreshed.
    const loaded = await this.#loadForRenewal(userId, provider, strategy);
    if (loaded && !this.#stale(loaded.record, loaded.tokens, strategy.rejected))
      return { tokens: loaded.tokens, refreshed: false };
    let response: TokenResponse;
    try {
      response = await strategy.obtain(loaded?.tokens ?? null);
    } catch (err) {
      if (
        loaded &&
        (err instanceof ReauthRequiredError ||
          (err instanceof OAuthRouterError && err.providerError === 'invalid_grant'))
      ) {
        const latest = await this.#o.repository.get(userId, provider);
        // A new sign-in replaced the refresh token while we used the old one: not a reason to ask for reauth.
        if (latest && latest.version !== loaded.record.version) return null;
        const reauth = this.#reauth(userId, provider, err);
        await this.#noteFailure(loaded, 'needs_reauth', reauth);
        this.#tellRefreshFailed(userId, provider, 'needs_reauth', reauth);
        this.#o.events?.emit('connectionNeedsReauth', { userId, provider });
        throw reauth;
      }
      this.#tellRefreshFailed(userId, provider, 'transient', err);
      if (loaded) await this.#noteFailure(loaded, 'active', err);
      throw err;
    }
    const record = this.#build(
      userId,
      provider,
      loaded?.record ?? null,
      response,
      loaded?.tokens ?? null,
      loaded?.record.scopes ?? [],
      strategy.createIfMissing ? 'grant' : 'refresh',
    );
    const tokens = this.#openRecord(record);
    this.#o.events?.emit('refresh', { userId, provider });
    this.#o.logger.debug?.('express-oauth-router: refreshed the tokens of a connection', {
      provider,
      userId,
    });
    if (!(await this.#o.repository.put(record, loaded?.record.version ?? null))) {
      // Fenced out: our lock expired and someone else wrote. These tokens are valid, so use them for this call,
      // but the stored record stays the newer writer's.
      this.#o.logger.warn(
        `express-oauth-router: ${provider}: a refresh finished after its lock expired; its tokens were not stored`,
        {
          provider,
        },
      );
    }
    return { tokens, refreshed: true };
  }

  async #loadForRenewal(userId: string, provider: string, strategy: RenewStrategy): Promise<Loaded | null> {
    if (strategy.createIfMissing) {
      const record = await this.#o.repository.get(userId, provider);
      if (!record) return null;
      const tokens = this.#tryOpen(record);
      return tokens ? { record, tokens } : null;
    }
    return this.#load(userId, provider);
  }

  async #load(userId: string, provider: string): Promise<Loaded> {
    const record = await this.#o.repository.get(userId, provider);
    if (!record) {
      throw new OAuthRouterError(
        'not_connected',
        `${provider}: the user has no connection to this provider`,
        { provider },
      );
    }
    if (record.status === 'needs_reauth') throw this.#reauth(userId, provider);
    return { record, tokens: this.#openRecord(record) };
  }

  #tellRefreshFailed(
    userId: string,
    provider: string,
    reason: 'transient' | 'needs_reauth',
    err: unknown,
  ): void {
    const error = err instanceof OAuthRouterError ? err : undefined;
    this.#o.events?.emit('refreshFailed', {
      userId,
      provider,
      reason,
      code: error?.code ?? 'internal_error',
      providerError: error?.providerError,
    });
  }

  /**
   * Records a failed renewal on the connection (and `needs_reauth` when the refresh token was refused). A lost
   * compare-and-set is fine: whoever wrote meanwhile holds newer tokens, which is what the record should say.
   */
  async #noteFailure({ record, tokens }: Loaded, status: ConnectionStatus, err: unknown): Promise<void> {
    const error = err instanceof OAuthRouterError ? err : undefined;
    const now = this.#now();
    const marked: ConnectionRecord = {
      ...record,
      status,
      version: record.version + 1,
      updatedAt: now,
      health: {
        ...(record.health ?? unknownHealth(record, tokens)),
        lastError: {
          code: error?.code ?? 'internal_error',
          providerError: error?.providerError ?? null,
          at: now,
        },
      },
    };
    await this.#o.repository.put(marked, record.version).catch((putErr: unknown) => {
      // The failure the caller gets matters more than its bookkeeping; an unreachable store is reported there.
      this.#o.logger.warn('express-oauth-router: could not record a failed refresh on the connection', {
        provider: record.provider,
        code: putErr instanceof OAuthRouterError ? putErr.code : 'internal_error',
      });
    });
  }

  #tellRefreshTokenMissing(userId: string, provider: string): void {
    this.#o.events?.emit('refreshTokenMissing', { userId, provider });
    const hint =
      this.#o.providerClients.get(provider)?.provider.refreshTokenHint ?? GENERIC_REFRESH_TOKEN_HINT;
    this.#o.logger.warn(
      `express-oauth-router: ${provider} sent no refresh token, so this connection stops working when its access token expires. ${hint}`,
      { provider, userId },
    );
  }

  #info(r: ConnectionRecord): ConnectionInfo {
    const health = r.health;
    const lastError = health?.lastError ?? null;
    return {
      provider: r.provider,
      status: r.status,
      health:
        r.status === 'needs_reauth'
          ? 'needs_reauth'
          : health?.hasRefreshToken === false && r.expiresAt !== null
            ? 'no_refresh_token'
            : lastError
              ? 'refresh_failing'
              : 'ok',
      scopes: [...r.scopes],
      expiresAt: r.expiresAt === null ? null : new Date(r.expiresAt),
      updatedAt: new Date(r.updatedAt),
      createdAt: health ? new Date(health.createdAt) : null,
      hasRefreshToken: health ? health.hasRefreshToken : null,
      lastRefreshAt: health?.lastRefreshAt ? new Date(health.lastRefreshAt) : null,
      lastError: lastError && {
        code: lastError.code,
        providerError: lastError.providerError,
        at: new Date(lastError.at),
      },
      loginUrl: this.#o.loginUrl(r.provider, r.userId),
    };
  }

  #stale(record: ConnectionRecord, tokens: TokenSet, rejected: string | undefined): boolean {
    if (rejected !== undefined && tokens.accessToken === rejected) return true;
    return record.expiresAt !== null && record.expiresAt - this.#o.skewSeconds * 1000 <= this.#now();
  }

  #build(
    userId: string,
    provider: string,
    current: ConnectionRecord | null,
    response: TokenResponse,
    previous: TokenSet | null,
    fallbackScopes: string[],
    kind: 'grant' | 'refresh',
  ): ConnectionRecord {
    const tokens: TokenSet = {
      accessToken: response.accessToken,
      refreshToken: response.refreshToken ?? previous?.refreshToken ?? null,
      idToken: response.idToken ?? previous?.idToken ?? null,
    };
    const now = this.#now();
    const before = current && (current.health ?? unknownHealth(current, previous));
    return {
      userId,
      provider,
      version: (current?.version ?? 0) + 1,
      status: 'active',
      scopes: response.scope ? response.scope.split(' ').filter(Boolean) : fallbackScopes,
      tokenType: response.tokenType.toLowerCase(),
      expiresAt: response.expiresIn === undefined ? null : now + response.expiresIn * 1000,
      sealed: seal(this.#o.keyring, JSON.stringify(tokens), aad(userId, provider)),
      updatedAt: now,
      health: {
        createdAt: before?.createdAt ?? now,
        hasRefreshToken: tokens.refreshToken !== null,
        lastRefreshAt: kind === 'refresh' ? now : (before?.lastRefreshAt ?? null),
        lastError: null,
      },
    };
  }

  #openRecord(record: ConnectionRecord): TokenSet {
    return JSON.parse(open(this.#o.keyring, record.sealed, aad(record.userId, record.provider))) as TokenSet;
  }

  #tryOpen(record: ConnectionRecord): TokenSet | null {
    try {
      return this.#openRecord(record);
    } catch {
      return null;
    }
  }

  #client(provider: string): ProviderClient {
    const providerClient = this.#o.providerClients.get(provider);
    if (!providerClient)
      throw new OAuthRouterError('unknown_provider', `No provider "${provider}" is configured`, { provider });
    return providerClient;
  }

  #reauth(owner: string, provider: string, cause?: unknown): ReauthRequiredError {
    const providerError = cause instanceof OAuthRouterError ? cause.providerError : undefined;
    return new ReauthRequiredError(provider, this.#o.loginUrl(provider, owner), { cause, providerError });
  }
}

/** What a provider without a preset hint needs for refresh tokens. */
const GENERIC_REFRESH_TOKEN_HINT =
  'OpenID providers issue one when the login asks for the offline_access scope with prompt=consent (OpenID Connect Core §11) and the client is allowed the refresh_token grant; plain OAuth 2.0 providers often need a setting in the app registration.';

/** The health of a record written before health was kept: what can be said without decrypting. */
function unknownHealth(record: ConnectionRecord, tokens: TokenSet | null): ConnectionHealthRecord {
  return {
    createdAt: record.updatedAt,
    hasRefreshToken: Boolean(tokens?.refreshToken),
    lastRefreshAt: null,
    lastError: null,
  };
}

/** Additional authenticated data of a sealed token: who it belongs to. */
function aad(userId: string, provider: string): string {
  return `oar-token-v1\u0000${userId}\u0000${provider}`;
}
