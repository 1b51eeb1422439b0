import type { Sequelize } from 'sequelize-typescript';
import { Transaction } from 'sequelize';
import type { Db } from './db';
import { acquireConnection, connectionOf, destroyConnection, releaseConnection, runAfterCommitHooks } from '../patches/sequelize';

/** A statement built by a pure function (a list's SQL), run by its repository and EXPLAINed by the query-plan test. */
export interface SqlStatement {
  text: string;
  values: unknown[];
}

/** Where a statement runs: in a transaction (its connection) or, for a single statement, on the pool. */
export type SqlTarget = Transaction | Db | Sequelize;

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
    const connection = connectionOf(target);
    if (!connection) throw new Error('sql() needs a transaction that holds a connection');
    return (await connection.query(text, values)).rows as T[];
  }
  const sequelize = 'connectionManager' in target ? target : target.sequelize;
  const connection = await acquireConnection(sequelize);
  try {
    return (await connection.query(text, values)).rows as T[];
  } finally {
    await releaseConnection(sequelize, connection);
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

/**
 * Runs `work` in a transaction, like `sequelize.transaction(work)` (same default isolation level,
 * same Transaction object for models and `sql`, afterCommit hooks run after COMMIT, rollback on any
 * error, no retry), but BEGIN/COMMIT/ROLLBACK go straight to the pooled pg connection: Sequelize's
 * query machinery around them was a measurable share of an order placement's CPU (make bench).
 * A connection whose BEGIN, COMMIT or ROLLBACK failed is destroyed, not returned to the pool.
 */
export async function transaction<T>(sequelize: Sequelize, work: (tx: Transaction) => Promise<T>): Promise<T> {
  if (sequelize.options.isolationLevel) return sequelize.transaction(work);
  const tx = new Transaction(sequelize, {});
  const connection = await acquireConnection(sequelize, tx);
  const discard = () => destroyConnection(sequelize, connection);
  try {
    await connection.query('BEGIN');
  } catch (err) {
    await discard();
    throw err;
  }
  let result: T;
  try {
    result = await work(tx);
  } catch (err) {
    try {
      await connection.query('ROLLBACK');
      await releaseConnection(sequelize, connection);
    } catch {
      await discard();
    }
    throw err;
  }
  try {
    await connection.query('COMMIT');
    await releaseConnection(sequelize, connection);
  } catch (err) {
    await discard();
    throw err;
  } finally {
    // As Sequelize's commit(): the hooks run once the commit is over.
    await runAfterCommitHooks(tx);
  }
  return result;
}
