import type { Sequelize } from 'sequelize-typescript';
import type { Transaction } from 'sequelize';

type PgConnection = { query(text: string, values: readonly unknown[]): Promise<{ rows: unknown[] }> };
type ConnectionManager = {
  getConnection(options: { type: string }): Promise<PgConnection>;
  releaseConnection(connection: unknown): Promise<void>;
};

/** A statement built by a pure function (a list's SQL), run by its repository and EXPLAINed by the query-plan test. */
export interface SqlStatement {
  text: string;
  values: unknown[];
}

/** Where a statement runs: in a transaction (its connection) or, for a single statement, on the pool. */
export type SqlTarget = Transaction | Sequelize;

function isTransaction(target: SqlTarget): target is Transaction {
  return typeof (target as Transaction).afterCommit === 'function';
}

/**
 * The one way to run raw SQL: `$n` placeholders, rows as plain objects, pg's own errors (which
 * `platform/errors` translates in one place). It goes straight to the pg connection because
 * Sequelize's `query` formats replacements into the SQL text and builds result objects, which the
 * profile showed costing more than the statements on the hot paths. Use it only in a repository.
 */
export async function sql<T extends object>(target: SqlTarget, text: string, values: readonly unknown[] = []): Promise<T[]> {
  if (isTransaction(target)) {
    const connection = (target as unknown as { connection?: PgConnection }).connection;
    if (!connection) throw new Error('sql() needs a transaction that holds a connection');
    return (await connection.query(text, values)).rows as T[];
  }
  const manager = target.connectionManager as unknown as ConnectionManager;
  const connection = await manager.getConnection({ type: 'SELECT' });
  try {
    return (await connection.query(text, values)).rows as T[];
  } finally {
    await manager.releaseConnection(connection);
  }
}

/** The first row of `sql`, or undefined. */
export async function sqlOne<T extends object>(target: SqlTarget, text: string, values: readonly unknown[] = []): Promise<T | undefined> {
  const [row] = await sql<T>(target, text, values);
  return row;
}

/** The transaction to hand a model query, when the target is one. */
export function transactionOf(target: SqlTarget): Transaction | undefined {
  return isTransaction(target) ? target : undefined;
}
