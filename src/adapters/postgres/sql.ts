import { OAuthRouterError, storeUnavailable } from '../../errors.js';

/**
 * The part of a PostgreSQL client this library uses; `pg`'s `Pool` and `Client` satisfy it, so `pg` is not a
 * dependency of this package.
 */
export interface SqlClient {
  query(text: string, values?: unknown[]): Promise<{ rows: unknown[]; rowCount: number | null }>;
}

/** A plain (optionally schema-qualified) lowercase identifier: table names are interpolated, never bound. */
export const SQL_IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}(\.[a-z_][a-z0-9_]{0,62})?$/;

/**
 * Runs a query, turning connection failures into `store_unavailable` (fail closed) and anything else into
 * `internal_error` without leaking SQL or values into responses.
 */
export async function runSql(
  db: SqlClient,
  text: string,
  values: unknown[] = [],
): Promise<{ rows: unknown[]; rowCount: number | null }> {
  try {
    return await db.query(text, values);
  } catch (err) {
    throw isConnectionError(err)
      ? storeUnavailable(err)
      : new OAuthRouterError('internal_error', 'PostgreSQL query failed', { cause: err });
  }
}

/**
 * Wraps DDL so that concurrent first uses (several instances starting at once) do not race: a multi-statement
 * query runs as one implicit transaction, and the advisory lock serialises it.
 */
export function serializedDdl(ddl: string): string {
  return `SELECT pg_advisory_xact_lock(741852963); ${ddl}`;
}

/**
 * Runs `ddl` once before the first query of a repository; a failure is retried on the next query.
 * @returns A function that resolves once the schema exists.
 */
export function schemaOnce(db: SqlClient, ddl: string | undefined): () => Promise<void> {
  let ready: Promise<void> | undefined = ddl === undefined ? Promise.resolve() : undefined;
  return () => {
    ready ??= runSql(db, serializedDdl(ddl as string)).then(
      () => undefined,
      (err: unknown) => {
        ready = undefined;
        throw err;
      },
    );
    return ready;
  };
}

// SQLSTATE class 08 (connection exception), 57P (operator intervention: shutdown), and socket errors.
function isConnectionError(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && (code.startsWith('08') || code.startsWith('57P') || code.startsWith('E')))
    return true;
  return err instanceof Error && /Connection terminated|connect ECONNREFUSED|timeout/i.test(err.message);
}
