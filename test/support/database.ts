import { Client } from 'pg';
import pino from 'pino';
import { createDatabase } from '../../src/platform/db/database';
import { migrate } from '../../src/platform/db/migrator';
import { createTestDatabase, type TestDatabase } from '../../test-kit/scratch-database';

/**
 * Direct reads of the suite database's stored state (query, waitFor), to assert what the API did.
 * Scratch databases (a fresh one per harness or child service) come from test-kit/scratch-database.
 */

let assertions: Client | undefined;

/** The direct connection the suite asserts stored state through (opened by the root hooks). */
export async function openAssertionClient(url: string): Promise<Client> {
  const client = new Client({ connectionString: url });
  await client.connect();
  assertions = client;
  return client;
}

/** Reads stored state directly, to assert what the API did to the database. */
export async function query<T = any>(sql: string, params: unknown[] = []): Promise<T[]> {
  if (!assertions) throw new Error('no assertion client: the root hooks open it');
  const res = await assertions.query(sql, params);
  return res.rows as T[];
}

export async function waitFor<T>(probe: () => Promise<T | undefined | false>, timeoutMs = 5000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * A scratch database with every migration applied and a plain pg client on it, for specs that run
 * SQL builders without a service (query plans, search against a naive evaluation).
 */
export async function migratedScratchDatabase(): Promise<{ database: TestDatabase; db: Client }> {
  const database = await createTestDatabase();
  const logger = pino({ level: 'silent' });
  // No models: adding them to a second Sequelize instance would rebind them away from the service's.
  const sequelize = createDatabase(database.url, logger, { poolMax: 2, models: [] });
  await migrate(sequelize, database.url, logger);
  await sequelize.close();
  const db = new Client({ connectionString: database.url });
  await db.connect();
  return { database, db };
}
