import type { Profile } from '../../providers/types.js';
import { newUserFromProfile, normalizeEmail } from '../../users/new-user.js';
import type { LinkedAccount, OAuthUser, UserRepository } from '../../users/types.js';
import { runSql, SQL_IDENTIFIER, type SqlClient, schemaOnce } from './sql.js';

/** Options of {@link PostgresUserRepository}. */
export interface PostgresUserRepositoryOptions {
  /** Prefix of the three table names (`<prefix>users`, `<prefix>accounts`, `<prefix>verified_emails`). Default `oauth_`. */
  tablePrefix?: string;
  /** Create the tables on first use. Default true; set false when you run {@link postgresUserSchema} in your migrations. */
  createTables?: boolean;
}

/**
 * The DDL of the user tables, for your migration tool. Idempotent.
 * @param tablePrefix - Default `oauth_`.
 */
export function postgresUserSchema(tablePrefix = 'oauth_'): string {
  const t = tables(tablePrefix);
  return `CREATE TABLE IF NOT EXISTS ${t.users} (
  id              text        PRIMARY KEY,
  name            text,
  email           text,
  email_verified  boolean     NOT NULL,
  avatar_url      text,
  created_at      timestamptz NOT NULL
);
CREATE TABLE IF NOT EXISTS ${t.accounts} (
  provider             text        NOT NULL,
  provider_account_id  text        NOT NULL,
  user_id              text        NOT NULL REFERENCES ${t.users} (id) ON DELETE CASCADE,
  seq                  bigserial,
  PRIMARY KEY (provider, provider_account_id)
);
CREATE INDEX IF NOT EXISTS ${t.accountsIndex} ON ${t.accounts} (user_id);
CREATE TABLE IF NOT EXISTS ${t.emails} (
  email    text PRIMARY KEY,
  user_id  text NOT NULL REFERENCES ${t.users} (id) ON DELETE CASCADE
)`;
}

function tables(prefix: string) {
  const names = {
    users: `${prefix}users`,
    accounts: `${prefix}accounts`,
    accountsIndex: `${prefix.replace(/\./g, '_')}accounts_user_id`,
    emails: `${prefix}verified_emails`,
  };
  if (![names.users, names.accounts, names.emails].every((n) => SQL_IDENTIFIER.test(n))) {
    throw new RangeError(`invalid table prefix "${prefix}"`);
  }
  return names;
}

interface UserRow {
  id: string;
  name: string | null;
  email: string | null;
  email_verified: boolean;
  avatar_url: string | null;
  created_at: Date;
}

/**
 * {@link UserRepository} on PostgreSQL. Uniqueness comes from primary keys (`INSERT … ON CONFLICT DO NOTHING`), so
 * concurrent first sign-ins of one account create one user without explicit transactions.
 *
 * @example
 * ```ts
 * oauthRouter({ ..., userRepository: new PostgresUserRepository(pool) });
 * ```
 */
export class PostgresUserRepository implements UserRepository {
  readonly #db: SqlClient;
  readonly #t: ReturnType<typeof tables>;
  readonly #ready: () => Promise<void>;

  /**
   * @param db - A `pg` Pool (or anything with its `query`); never opened or closed here.
   * @param options - Table prefix and whether to create the tables on first use.
   */
  constructor(db: SqlClient, options: PostgresUserRepositoryOptions = {}) {
    this.#db = db;
    const prefix = options.tablePrefix ?? 'oauth_';
    this.#t = tables(prefix);
    this.#ready = schemaOnce(db, options.createTables === false ? undefined : postgresUserSchema(prefix));
  }

  async findById(id: string): Promise<OAuthUser | null> {
    const { rows } = await this.#query(`SELECT * FROM ${this.#t.users} WHERE id = $1`, [id]);
    return rows[0] ? fromRow(rows[0] as UserRow) : null;
  }

  async findByAccount(account: LinkedAccount): Promise<OAuthUser | null> {
    const { rows } = await this.#query(
      `SELECT u.* FROM ${this.#t.accounts} a JOIN ${this.#t.users} u ON u.id = a.user_id
       WHERE a.provider = $1 AND a.provider_account_id = $2`,
      [account.provider, account.providerAccountId],
    );
    return rows[0] ? fromRow(rows[0] as UserRow) : null;
  }

  async findByVerifiedEmail(email: string): Promise<OAuthUser | null> {
    const { rows } = await this.#query(
      `SELECT u.* FROM ${this.#t.emails} e JOIN ${this.#t.users} u ON u.id = e.user_id WHERE e.email = $1`,
      [normalizeEmail(email)],
    );
    return rows[0] ? fromRow(rows[0] as UserRow) : null;
  }

  async createFromProfile(profile: Profile): Promise<OAuthUser> {
    const user = newUserFromProfile(profile);
    await this.#query(
      `INSERT INTO ${this.#t.users} (id, name, email, email_verified, avatar_url, created_at) VALUES ($1, $2, $3, $4, $5, $6)`,
      [user.id, user.name, user.email, user.emailVerified, user.avatarUrl, new Date(user.createdAt)],
    );
    // The account's primary key decides a race between two first sign-ins; the loser's row is removed.
    if (!(await this.#insertAccount(user.id, profile))) {
      await this.#query(`DELETE FROM ${this.#t.users} WHERE id = $1`, [user.id]);
      const existing = await this.findByAccount(profile);
      if (existing) return existing;
      throw new Error('account row vanished during creation');
    }
    if (user.email && user.emailVerified) {
      await this.#query(
        `INSERT INTO ${this.#t.emails} (email, user_id) VALUES ($1, $2) ON CONFLICT DO NOTHING`,
        [normalizeEmail(user.email), user.id],
      );
    }
    return user;
  }

  async linkAccount(userId: string, account: LinkedAccount): Promise<boolean> {
    if (await this.#insertAccount(userId, account)) return true;
    const { rows } = await this.#query(
      `SELECT user_id FROM ${this.#t.accounts} WHERE provider = $1 AND provider_account_id = $2`,
      [account.provider, account.providerAccountId],
    );
    return (rows[0] as { user_id?: string } | undefined)?.user_id === userId;
  }

  async listAccounts(userId: string): Promise<LinkedAccount[]> {
    const { rows } = await this.#query(
      `SELECT provider, provider_account_id FROM ${this.#t.accounts} WHERE user_id = $1 ORDER BY seq`,
      [userId],
    );
    return (rows as { provider: string; provider_account_id: string }[]).map((r) => ({
      provider: r.provider,
      providerAccountId: r.provider_account_id,
    }));
  }

  async unlinkProvider(userId: string, provider: string): Promise<LinkedAccount[]> {
    const { rows } = await this.#query(
      `DELETE FROM ${this.#t.accounts} WHERE user_id = $1 AND provider = $2 RETURNING provider, provider_account_id`,
      [userId, provider],
    );
    return (rows as { provider: string; provider_account_id: string }[]).map((row) => ({
      provider: row.provider,
      providerAccountId: row.provider_account_id,
    }));
  }

  async deleteUser(userId: string): Promise<void> {
    // Links and the verified-email entry go with it (ON DELETE CASCADE).
    await this.#query(`DELETE FROM ${this.#t.users} WHERE id = $1`, [userId]);
  }

  async #insertAccount(userId: string, account: LinkedAccount): Promise<boolean> {
    const { rowCount } = await this.#query(
      `INSERT INTO ${this.#t.accounts} (provider, provider_account_id, user_id) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`,
      [account.provider, account.providerAccountId, userId],
    );
    return rowCount === 1;
  }

  async #query(text: string, values: unknown[]): Promise<{ rows: unknown[]; rowCount: number | null }> {
    await this.#ready();
    return runSql(this.#db, text, values);
  }
}

function fromRow(row: UserRow): OAuthUser {
  return {
    id: row.id,
    name: row.name,
    email: row.email,
    emailVerified: row.email_verified,
    avatarUrl: row.avatar_url,
    createdAt: row.created_at.toISOString(),
  };
}
