/** Whether a connection can be used, or needs the user to sign in to the provider again. */
export type ConnectionStatus = 'active' | 'needs_reauth';

/** The secret part of a connection; only ever stored sealed (AES-256-GCM). */
export interface TokenSet {
  accessToken: string;
  refreshToken: string | null;
  idToken: string | null;
}

/**
 * One stored connection of a user to a provider, as a {@link TokenRepository} keeps it. Everything secret is in
 * `sealed`; the rest is metadata the library needs without decrypting.
 */
export interface ConnectionRecord {
  userId: string;
  provider: string;
  /** Starts at 1 and grows by one on every write; the compare-and-set of {@link TokenRepository.put} checks it. */
  version: number;
  status: ConnectionStatus;
  /** Scopes the provider granted. */
  scopes: string[];
  /** Usually `bearer`. */
  tokenType: string;
  /** When the access token expires, in milliseconds since the epoch; null when the provider did not say. */
  expiresAt: number | null;
  /** The token set (access, refresh and id tokens), sealed with the configured key ring and bound to `userId` + `provider`. */
  sealed: string;
  /** Milliseconds since the epoch. */
  updatedAt: number;
  /**
   * What the management view shows about the connection's tokens, without decrypting them. Absent on records
   * stored before token health was kept (they report `null` for what it would say).
   */
  health?: ConnectionHealthRecord;
}

/** Why the last renewal of a connection failed; cleared by the next success. */
export interface ConnectionErrorRecord {
  /** Our stable error code (`provider_error`, `reauth_required`, …). */
  code: string;
  /** The provider's own error code (`invalid_grant`, `temporarily_unavailable`, …), when it gave one. */
  providerError: string | null;
  /** Milliseconds since the epoch. */
  at: number;
}

/** The non-secret history of a connection's tokens, kept next to the sealed tokens. */
export interface ConnectionHealthRecord {
  /** When the connection was first stored, in milliseconds since the epoch. */
  createdAt: number;
  /** Whether a refresh token is held. */
  hasRefreshToken: boolean;
  /** When the tokens were last refreshed, in milliseconds since the epoch; null when never. */
  lastRefreshAt: number | null;
  /** The failure of the last renewal attempt; null once one succeeds. */
  lastError: ConnectionErrorRecord | null;
}

/**
 * Where connections live. Implement it to keep tokens in your own database, and run
 * `describeTokenRepositoryContract` (test/contracts) against your implementation.
 * Implementations only ever see sealed tokens. They throw an `OAuthRouterError` with code
 * `store_unavailable` when their backend is unreachable.
 */
export interface TokenRepository {
  /** @returns The connection, or null when there is none. */
  get(userId: string, provider: string): Promise<ConnectionRecord | null>;
  /**
   * Writes a connection if, and only if, the stored version is `expectedVersion` (null: none may exist).
   * This compare-and-set is what stops a stale writer (a refresh that lost its lock) from overwriting a newer
   * token. It must be atomic. `record.version` must be `expectedVersion + 1` (1 for a new connection).
   * @returns false when the stored version was not the expected one; nothing is written then.
   */
  put(record: ConnectionRecord, expectedVersion: number | null): Promise<boolean>;
  /** Deletes a connection; deleting a missing one is not an error. */
  delete(userId: string, provider: string): Promise<void>;
  /** @returns All connections of a user, in no particular order. */
  listByUser(userId: string): Promise<ConnectionRecord[]>;
}

/**
 * One word on whether a connection will keep working, for a management view:
 * - `ok`: usable, and renewable when it expires (or it does not expire);
 * - `needs_reauth`: the provider refused the refresh token; the user must connect again (`loginUrl`);
 * - `no_refresh_token`: usable until `expiresAt`, then the user must connect again, because the provider sent
 *   no refresh token (see the log or the `refreshTokenMissing` event for the usual cause per provider);
 * - `refresh_failing`: the last refresh failed for a transient reason (`lastError`); the refresh token is kept
 *   and the next call tries again.
 */
export type ConnectionHealth = 'ok' | 'needs_reauth' | 'no_refresh_token' | 'refresh_failing';

/** What `req.oauth.connections()` reports about each connection, ready to render; no secrets. */
export interface ConnectionInfo {
  provider: string;
  status: ConnectionStatus;
  /** Whether the connection will keep working; see {@link ConnectionHealth}. */
  health: ConnectionHealth;
  /** Scopes the provider granted. */
  scopes: string[];
  /** When the current access token expires, if known. */
  expiresAt: Date | null;
  /** When the record last changed (a grant, a refresh, a failure). */
  updatedAt: Date;
  /** When the connection was first made; null for records stored before token health was kept. */
  createdAt: Date | null;
  /** Whether a refresh token is held; null for records stored before token health was kept. */
  hasRefreshToken: boolean | null;
  /** When the tokens were last refreshed; null when never (or unknown). */
  lastRefreshAt: Date | null;
  /** Why the last renewal failed, if it did. */
  lastError: { code: string; providerError: string | null; at: Date } | null;
  /** The login route that (re)connects this provider, relative to the app's origin. */
  loginUrl: string;
}

/** Shared argument check of every implementation's `put`. */
export function assertNextVersion(record: ConnectionRecord, expectedVersion: number | null): void {
  if (record.version !== (expectedVersion ?? 0) + 1) {
    throw new RangeError(`record.version must be ${(expectedVersion ?? 0) + 1}, got ${record.version}`);
  }
}
