import { expect } from 'chai';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { Client } from 'pg';
import pino from 'pino';
import { createDatabase } from '../../src/platform/db/database';
import { migrate } from '../../src/platform/db/migrator';
import { createTestDatabase, type TestDatabase } from '../../test-kit/scratch-database';

const MIGRATIONS = readdirSync(path.join(__dirname, '../../src/platform/db/migrations')).filter((f) => /^\d{4}-.*\.ts$/.test(f)).length;

/**
 * Instances starting together migrate once, and leave no lock behind — also through PgBouncer in
 * transaction mode (`make test-pgbouncer` runs this spec there), where a session advisory lock would
 * stay on whichever server connection took it and block the next start.
 */
describe('migrations started by several instances at once', function () {
  this.timeout(120_000);
  let database: TestDatabase;

  before(async () => {
    database = await createTestDatabase();
  });

  after(async () => {
    await database?.drop();
  });

  it('applies each migration once, leaves no advisory lock held, and a later start finds nothing to do', async () => {
    const logger = pino({ level: 'silent' });
    const instances = [1, 2, 3].map(() => createDatabase(database.url, logger, { poolMax: 3, models: [] }));
    try {
      await Promise.all(instances.map((sequelize) => migrate(sequelize, database.url, logger)));
      const db = new Client({ connectionString: database.url });
      await db.connect();
      try {
        const applied = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM schema_migrations');
        expect(applied.rows[0]?.n).to.equal(MIGRATIONS);
        const locks = await db.query(
          "SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND database = (SELECT oid FROM pg_database WHERE datname = current_database())",
        );
        expect(locks.rows).to.have.length(0);
      } finally {
        await db.end();
      }
      const started = Date.now();
      await migrate(instances[0] as (typeof instances)[number], database.url, logger);
      expect(Date.now() - started).to.be.below(5_000);
    } finally {
      await Promise.all(instances.map((sequelize) => sequelize.close()));
    }
  });
});
