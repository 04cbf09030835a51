import {
  assertNextVersion,
  type ConnectionHealthRecord,
  type ConnectionRecord,
  type TokenRepository,
} from '../../tokens/types.js';
import { runSql, SQL_IDENTIFIER, type SqlClient, schemaOnce } from './sql.js';

/** Options of {@link PostgresTokenRepository}. */
export interface PostgresTokenRepositoryOptions {
  /** Table name, optionally schema-qualified. Default `oauth_connections`. */
  table?: string;
  /** Create the table on first use when it does not exist. Default true; set false when you run {@link postgresTokenSchema} in your migrations. */
  createTable?: boolean;
}

/**
 * The DDL of the connections table, for your migration tool. Idempotent; it also adds the `health` column
 * to a table created before token health was kept.
 * @param table - Table name, default `oauth_connections`.
 */
export function postgresTokenSchema(table = 'oauth_connections'): string {
  if (!SQL_IDENTIFIER.test(table)) throw new RangeError(`invalid table name "${table}"`);
  return `CREATE TABLE IF NOT EXISTS ${table} (
  user_id     text        NOT NULL,
  provider    text        NOT NULL,
  version     integer     NOT NULL CHECK (version > 0),
  status      text        NOT NULL CHECK (status IN ('active', 'needs_reauth')),
  scopes      text[]      NOT NULL DEFAULT '{}',
  token_type  text        NOT NULL,
  expires_at  timestamptz,
  sealed      text        NOT NULL,
  updated_at  timestamptz NOT NULL,
  health      jsonb,
  PRIMARY KEY (user_id, provider)
);
ALTER TABLE ${table} ADD COLUMN IF NOT EXISTS health jsonb`;
}

interface Row {
  user_id: string;
  provider: string;
  version: number;
  status: ConnectionRecord['status'];
  scopes: string[];
  token_type: string;
  expires_at: Date | null;
  sealed: string;
  updated_at: Date;
  health: ConnectionHealthRecord | null;
}

/**
 * {@link TokenRepository} on PostgreSQL. The compare-and-set is a single `INSERT … ON CONFLICT DO NOTHING` (new
 * connection) or `UPDATE … WHERE version = $expected`, so it is atomic without explicit transactions.
 *
 * @example
 * ```ts
 * import pg from 'pg';
 * const tokens = new PostgresTokenRepository(new pg.Pool({ connectionString: process.env.DATABASE_URL }));
 * oauthRouter({ ..., tokenRepository: tokens });
 * ```
 */
export class PostgresTokenRepository implements TokenRepository {
  readonly #db: SqlClient;
  readonly #table: string;
  readonly #ready: () => Promise<void>;

  /**
   * @param db - A `pg` Pool (or anything with its `query`); never opened or closed here.
   * @param options - Table name and whether to create it on first use.
   */
  constructor(db: SqlClient, options: PostgresTokenRepositoryOptions = {}) {
    this.#db = db;
    this.#table = options.table ?? 'oauth_connections';
    if (!SQL_IDENTIFIER.test(this.#table)) throw new RangeError(`invalid table name "${this.#table}"`);
    this.#ready = schemaOnce(
      db,
      options.createTable === false ? undefined : postgresTokenSchema(this.#table),
    );
  }

  async get(userId: string, provider: string): Promise<ConnectionRecord | null> {
    const { rows } = await this.#query(`SELECT * FROM ${this.#table} WHERE user_id = $1 AND provider = $2`, [
      userId,
      provider,
    ]);
    return rows[0] ? fromRow(rows[0] as Row) : null;
  }

  async put(record: ConnectionRecord, expectedVersion: number | null): Promise<boolean> {
    assertNextVersion(record, expectedVersion);
    const values = [
      record.userId,
      record.provider,
      record.version,
      record.status,
      record.scopes,
      record.tokenType,
      record.expiresAt === null ? null : new Date(record.expiresAt),
      record.sealed,
      new Date(record.updatedAt),
      record.health === undefined ? null : JSON.stringify(record.health),
    ];
    const result =
      expectedVersion === null
        ? await this.#query(
            `INSERT INTO ${this.#table} (user_id, provider, version, status, scopes, token_type, expires_at, sealed, updated_at, health)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT (user_id, provider) DO NOTHING`,
            values,
          )
        : await this.#query(
            `UPDATE ${this.#table} SET version = $3, status = $4, scopes = $5, token_type = $6, expires_at = $7,
               sealed = $8, updated_at = $9, health = $10 WHERE user_id = $1 AND provider = $2 AND version = $11`,
            [...values, expectedVersion],
          );
    return result.rowCount === 1;
  }

  async delete(userId: string, provider: string): Promise<void> {
    await this.#query(`DELETE FROM ${this.#table} WHERE user_id = $1 AND provider = $2`, [userId, provider]);
  }

  async listByUser(userId: string): Promise<ConnectionRecord[]> {
    const { rows } = await this.#query(`SELECT * FROM ${this.#table} WHERE user_id = $1`, [userId]);
    return rows.map((row) => fromRow(row as Row));
  }

  async #query(text: string, values: unknown[]): Promise<{ rows: unknown[]; rowCount: number | null }> {
    await this.#ready();
    return runSql(this.#db, text, values);
  }
}

function fromRow(row: Row): ConnectionRecord {
  return {
    userId: row.user_id,
    provider: row.provider,
    version: row.version,
    status: row.status,
    scopes: row.scopes,
    tokenType: row.token_type,
    expiresAt: row.expires_at === null ? null : row.expires_at.getTime(),
    sealed: row.sealed,
    updatedAt: row.updated_at.getTime(),
    ...(row.health === null ? {} : { health: row.health }),
  };
}
