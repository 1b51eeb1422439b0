import { Sequelize, type ModelCtor } from 'sequelize-typescript';
import type { Transaction } from 'sequelize';
import type { Logger } from 'pino';
import { isRetryableTransactionError } from '../errors';

export type { Transaction };

/**
 * Builds the Sequelize instance. Connection errors (a PostgreSQL restart, a network cut) are
 * logged and the broken connection discarded: they must never crash the process.
 */
export function createDatabase(url: string, logger: Logger, options: { poolMax: number; models: ModelCtor[] }): Sequelize {
  const sequelize = new Sequelize(url, {
    dialect: 'postgres',
    logging: false,
    models: options.models,
    pool: { max: options.poolMax, min: 0, idle: 10_000, acquire: 10_000, evict: 5_000 },
    dialectOptions: {
      application_name: 'quickstock',
      statement_timeout: 15_000,
      // A frozen or partitioned process must not hold row locks (e.g. the dispatcher's) for the
      // OS keepalive's two hours; provider calls inside a transaction are bounded well below this.
      idle_in_transaction_session_timeout: 60_000,
      keepAlive: true,
    },
    define: { underscored: true, timestamps: true },
    hooks: {
      afterConnect(connection: unknown) {
        const client = connection as { on?: (event: string, fn: (err: Error) => void) => void };
        client.on?.('error', (err) => logger.warn({ err }, 'database connection error'));
      },
    },
  });
  return sequelize;
}

/**
 * Runs `work` in a transaction, retrying it whole on a serialization failure or deadlock
 * (the only errors that are safe to retry blindly).
 */
export async function withTransaction<T>(
  sequelize: Sequelize,
  work: (tx: Transaction) => Promise<T>,
  attempts = 3,
): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await sequelize.transaction((tx) => work(tx));
    } catch (err) {
      if (attempt >= attempts || !isRetryableTransactionError(err)) throw err;
      await new Promise((r) => setTimeout(r, 5 + Math.random() * 20 * attempt));
    }
  }
}

export async function checkDatabase(sequelize: Sequelize): Promise<void> {
  await sequelize.query('SELECT 1');
}

/**
 * Runs SQL with `$n` parameters on the transaction's own pg connection. For the hottest statements
 * (order placement, the outbox): Sequelize's `query` formats replacements into the SQL text and
 * builds its result objects, which the profile showed costing more than the statements themselves.
 * Errors are pg's own (the database error helpers read both shapes).
 */
export async function txQuery<T extends object>(tx: Transaction, text: string, values: readonly unknown[]): Promise<T[]> {
  const connection = (tx as unknown as { connection?: { query(text: string, values: readonly unknown[]): Promise<{ rows: T[] }> } }).connection;
  if (!connection) throw new Error('txQuery needs a transaction that holds a connection');
  const result = await connection.query(text, values);
  return result.rows;
}

/** `txQuery` outside a transaction: one pooled connection for one statement (hot reads). */
export async function poolQuery<T extends object>(sequelize: Sequelize, text: string, values: readonly unknown[]): Promise<T[]> {
  const manager = sequelize.connectionManager as unknown as {
    getConnection(options: { type: string }): Promise<{ query(text: string, values: readonly unknown[]): Promise<{ rows: T[] }> }>;
    releaseConnection(connection: unknown): Promise<void>;
  };
  const connection = await manager.getConnection({ type: 'SELECT' });
  try {
    return (await connection.query(text, values)).rows;
  } finally {
    await manager.releaseConnection(connection);
  }
}
