import { Sequelize, type ModelCtor } from 'sequelize-typescript';
import type { Transaction } from 'sequelize';
import type { Logger } from 'pino';

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

export async function checkDatabase(sequelize: Sequelize): Promise<void> {
  await sequelize.query('SELECT 1');
}
