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
    dialectOptions: { application_name: 'quickstock', statement_timeout: 15_000, keepAlive: true },
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
