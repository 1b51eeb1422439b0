import type { Transaction } from 'sequelize';
import type { Sequelize } from 'sequelize-typescript';
import { transaction } from './sql';

/**
 * A transaction opened by `Db.transaction`. Hand it to repositories (their statements then run on its
 * connection); `tx.afterCommit(fn)` runs `fn` once COMMIT is over (never after a rollback).
 */
export type Tx = Transaction;

/**
 * The database as services and use cases see it (`ctx.db`): one way to open a transaction, and the
 * pool for single statements outside one. Nothing above a repository touches Sequelize itself.
 */
export class Db {
  constructor(
    /** Only `platform/db` and repositories' `sql()` reach through this; nobody else uses it. */
    readonly sequelize: Sequelize,
  ) {}

  /**
   * Runs `work` in one transaction (PostgreSQL's default isolation, READ COMMITTED): COMMIT when it
   * resolves, ROLLBACK when it throws, no retry. Never call a provider or wait for another
   * connection inside `work`: the connection and its row locks are held until it returns.
   */
  transaction<T>(work: (tx: Tx) => Promise<T>): Promise<T> {
    return transaction(this.sequelize, work);
  }
}

/** Where a repository statement runs: in a transaction, or on the pool as a single statement. */
export type DbTarget = Tx | Db;
