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

/** What `req.oauth.connections()` reports about each connection; no secrets. */
export interface ConnectionInfo {
  provider: string;
  status: ConnectionStatus;
  scopes: string[];
  /** When the current access token expires, if known. */
  expiresAt: Date | null;
  updatedAt: Date;
}

/** Shared argument check of every implementation's `put`. */
export function assertNextVersion(record: ConnectionRecord, expectedVersion: number | null): void {
  if (record.version !== (expectedVersion ?? 0) + 1) {
    throw new RangeError(`record.version must be ${(expectedVersion ?? 0) + 1}, got ${record.version}`);
  }
}
