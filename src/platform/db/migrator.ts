import path from 'node:path';
import { Umzug, SequelizeStorage } from 'umzug';
import type { Sequelize } from 'sequelize-typescript';
import type { QueryInterface } from 'sequelize';
import type { Logger } from 'pino';
import { Client } from 'pg';

export interface MigrationContext {
  queryInterface: QueryInterface;
  sequelize: Sequelize;
}

export interface Migration {
  up(context: MigrationContext): Promise<void>;
  down?(context: MigrationContext): Promise<void>;
}

/**
 * Schema changes are ordered migrations, applied at start-up under an advisory lock so that
 * several instances starting together apply each migration once.
 */
export function createMigrator(sequelize: Sequelize, logger: Logger) {
  return new Umzug<MigrationContext>({
    migrations: {
      glob: ['migrations/*.{js,ts}', { cwd: __dirname, ignore: ['**/*.d.ts', '**/*.map'] }],
      // umzug's default resolver uses import(), which cannot load .ts under mocha: require() can.
      resolve: ({ name, path: file, context }) => {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const migration = require(file as string) as Migration;
        const id = path.basename(name, path.extname(name));
        return {
          name: id,
          up: async () => migration.up(context),
          down: async () => migration.down?.(context),
        };
      },
    },
    context: { queryInterface: sequelize.getQueryInterface(), sequelize },
    storage: new SequelizeStorage({ sequelize, tableName: 'schema_migrations' }),
    logger: {
      info: (msg) => logger.info(msg, 'migration'),
      warn: (msg) => logger.warn(msg, 'migration'),
      error: (msg) => logger.error(msg, 'migration'),
      debug: (msg) => logger.debug(msg, 'migration'),
    },
  });
}

const MIGRATION_LOCK_KEY = 7_482_001;

export async function migrate(sequelize: Sequelize, databaseUrl: string, logger: Logger): Promise<void> {
  // The lock lives on its own connection so the migrations may use the pool freely; a second
  // instance waits here, then finds nothing left to do. It is a transaction lock held by an open
  // transaction, not a session lock: behind PgBouncer in transaction mode a session lock would stay
  // on whichever server connection took it (the unlock can land on another one) and block the next
  // start for good. No timeout applies while it waits or holds (however long a migration runs).
  const lock = new Client({ connectionString: databaseUrl });
  lock.on('error', (err) => logger.warn({ err }, 'migration lock connection error'));
  await lock.connect();
  try {
    await lock.query('BEGIN');
    await lock.query('SET LOCAL statement_timeout = 0');
    await lock.query('SET LOCAL idle_in_transaction_session_timeout = 0');
    await lock.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK_KEY]);
    const migrator = createMigrator(sequelize, logger);
    const pending = await migrator.pending();
    if (pending.length > 0) await migrator.up();
  } finally {
    await lock.query('COMMIT').catch(() => undefined);
    await lock.end();
  }
}
