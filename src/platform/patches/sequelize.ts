import type { Sequelize } from 'sequelize-typescript';
import type { Transaction } from 'sequelize';
import type { PatchDeclaration } from './versions';

/**
 * What `platform/db/sql.ts` and the server's shutdown use of Sequelize's internals, in one place:
 *
 * - `connectionManager.getConnection/releaseConnection/destroyConnection`: `sql()` runs a statement
 *   on a pooled pg client, and `transaction()` sends BEGIN/COMMIT/ROLLBACK to it, without Sequelize's
 *   query machinery (a measured share of an order placement's CPU, `make bench`).
 * - A Transaction's `id`, `connection` and `finished`, and its private `_afterCommitHooks`: the
 *   transaction `transaction()` hands out is set up as Sequelize's own `prepareEnvironment` does, so
 *   models run in it, and its afterCommit hooks run as Sequelize's `commit()` runs them.
 * - `connectionManager.pool` (a sequelize-pool `Pool`: `using`, `waiting`): the shutdown waits until no
 *   query holds or waits for a connection before closing the pool.
 */
export const SEQUELIZE_PATCHES: PatchDeclaration = {
  file: 'src/platform/patches/sequelize.ts',
  dependencies: [
    { name: 'sequelize', range: '>=6.37.8 <6.38' },
    // Only its public `using` and `waiting` getters: any 7.x.
    { name: 'sequelize-pool', via: ['sequelize'], range: '>=7.1 <8' },
  ],
};

/** A pooled pg client, as far as this service uses it. */
export interface PgConnection {
  query(text: string, values?: readonly unknown[]): Promise<{ rows: unknown[] }>;
}

type PooledConnection = PgConnection & { uuid?: string };

interface ConnectionManager {
  getConnection(options: { type?: string; uuid?: string }): Promise<PooledConnection>;
  releaseConnection(connection: unknown): Promise<void>;
  destroyConnection(connection: unknown): Promise<void>;
  pool?: { using?: number; waiting?: number };
}

/** What Sequelize's `prepareEnvironment` and `commit` set on a Transaction. */
type OpenTransaction = Transaction & { id: string; connection?: PooledConnection; finished?: string; _afterCommitHooks: ((tx: Transaction) => unknown)[] };

function managerOf(sequelize: Sequelize): ConnectionManager {
  return sequelize.connectionManager as unknown as ConnectionManager;
}

/** The pg client a transaction holds (one opened by `sequelize.transaction` or by `transaction()`), if any. */
export function connectionOf(tx: Transaction): PgConnection | undefined {
  return (tx as OpenTransaction).connection;
}

/**
 * A client from the pool: for `tx`, bound to it as Sequelize binds a transaction's connection (so
 * models given `tx` run on it); without, for a single statement.
 */
export async function acquireConnection(sequelize: Sequelize, tx?: Transaction): Promise<PgConnection> {
  if (!tx) return managerOf(sequelize).getConnection({ type: 'SELECT' });
  const open = tx as OpenTransaction;
  const connection = await managerOf(sequelize).getConnection({ uuid: open.id });
  open.connection = connection;
  connection.uuid = open.id;
  return connection;
}

/** Gives a client back to the pool (unbound from its transaction). */
export async function releaseConnection(sequelize: Sequelize, connection: PgConnection): Promise<void> {
  (connection as PooledConnection).uuid = undefined;
  await managerOf(sequelize).releaseConnection(connection);
}

/** Closes a client whose state is unknown (a failed BEGIN, COMMIT or ROLLBACK) instead of returning it. */
export async function destroyConnection(sequelize: Sequelize, connection: PgConnection): Promise<void> {
  (connection as PooledConnection).uuid = undefined;
  await managerOf(sequelize).destroyConnection(connection);
}

/** After COMMIT, as Sequelize's `commit()`: marks `tx` committed and runs its afterCommit hooks in order. */
export async function runAfterCommitHooks(tx: Transaction): Promise<void> {
  const open = tx as OpenTransaction;
  open.finished = 'commit';
  for (const hook of open._afterCommitHooks) await hook.apply(tx, [tx]);
}

/** How many pooled connections are in use or waited for (0 when the pool is not created yet). */
export function poolActivity(sequelize: Sequelize): number {
  const pool = managerOf(sequelize).pool;
  return (pool?.using ?? 0) + (pool?.waiting ?? 0);
}
