import 'reflect-metadata';
import pino from 'pino';
import { environmentWith, loadConfig } from './platform/config';
import { startEmbeddedPostgres } from './platform/db/embedded-postgres';
import { createDatabase } from './platform/db/database';
import { Db } from './platform/db/db';
import { migrate } from './platform/db/migrator';
import { assertPatchedVersions } from './platform/patches';
import { UserModel, UsersService } from './users';
import { ProductModel } from './products';

/**
 * Operator commands: `migrate` applies pending migrations; `create-admin EMAIL` creates an admin
 * with the password read from ADMIN_PASSWORD (never from the command line, where `ps` shows it).
 */
async function run(): Promise<void> {
  const [command, arg] = process.argv.slice(2);
  // create-admin takes the email as its argument and the password from ADMIN_PASSWORD: the pair
  // the configuration checks together (and the password policy with it).
  const config = loadConfig(command === 'create-admin' && arg ? environmentWith({ ADMIN_EMAIL: arg }) : undefined);
  assertPatchedVersions();
  const logger = pino({ level: config.logLevel });
  const embedded = config.databaseUrl === null ? await startEmbeddedPostgres(config.dataDir, 'quickstock', logger) : undefined;
  const url = config.databaseUrl ?? (embedded?.url as string);
  const sequelize = createDatabase(url, logger, { poolMax: 2, models: [UserModel, ProductModel] });
  try {
    await migrate(sequelize, url, logger);
    if (command === 'create-admin') {
      if (!arg || !config.admin) throw new Error('usage: ADMIN_PASSWORD=… node dist/src/cli.js create-admin EMAIL');
      const user = await new UsersService(new Db(sequelize), logger).create({
        email: arg,
        password: config.admin.password,
        name: 'Administrator',
        role: 'admin',
      });
      logger.info({ id: user.id, email: user.email }, 'admin created');
    } else if (command !== 'migrate') {
      throw new Error('usage: cli.js migrate | create-admin EMAIL');
    }
  } finally {
    await sequelize.close();
    await embedded?.stop();
  }
}

run().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
