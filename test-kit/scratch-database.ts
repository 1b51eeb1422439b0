import os from 'node:os';
import path from 'node:path';
import { mkdtempSync, rmSync } from 'node:fs';
import { Client } from 'pg';
import pino from 'pino';
import { startEmbeddedPostgres } from '../src/platform/db/embedded-postgres';

/**
 * Scratch databases for the tests and the benchmarks: a new database per call on the server of
 * DATABASE_URL when set (CI, `make test`), else a throw-away embedded PostgreSQL in a temporary
 * directory. Every name starts with `scratchPrefix()`, so a run can drop what it left behind.
 */
export interface TestDatabase {
  /** What the service connects with (on the embedded PostgreSQL: its non-superuser role). */
  url: string;
  /** A superuser on the same database, for assertions and test tooling (never the service). */
  superuserUrl: string;
  drop(): Promise<void>;
}

let created = 0;

/**
 * `quickstock_test_<run>_`: `<run>` is QUICKSTOCK_TEST_RUN when a test run set it (every process of
 * the run shares it, so its global teardown drops them all), else this process's start and pid.
 */
export function scratchPrefix(): string {
  const run = process.env['QUICKSTOCK_TEST_RUN'] ?? `${Date.now().toString(36)}_${process.pid}`;
  return `quickstock_test_${run}_`;
}

export async function createTestDatabase(): Promise<TestDatabase> {
  created += 1;
  const name = `${scratchPrefix()}${process.pid}_${created}`;
  const serverUrl = process.env['DATABASE_URL'];
  if (serverUrl) return createDatabaseOnServer(serverUrl, name);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'quickstock-test-'));
  const embedded = await startEmbeddedPostgres(dir, name, pino({ level: 'silent' }), { persistent: false });
  return {
    url: embedded.url,
    superuserUrl: embedded.superuserUrl,
    async drop() {
      await embedded.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Creates database `name` on the server of `serverUrl` (trust auth, as in CI) and drops it on demand. */
export async function createDatabaseOnServer(serverUrl: string, name: string): Promise<TestDatabase> {
  const admin = new Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    superuserUrl: url.toString(),
    async drop() {
      const c = new Client({ connectionString: serverUrl });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

/** Drops every database of the server of `serverUrl` whose name starts with `prefix`; answers how many. */
export async function dropDatabasesStartingWith(serverUrl: string, prefix: string): Promise<number> {
  const c = new Client({ connectionString: serverUrl });
  await c.connect();
  try {
    const { rows } = await c.query<{ datname: string }>('SELECT datname FROM pg_database WHERE starts_with(datname, $1)', [prefix]);
    for (const { datname } of rows) await c.query(`DROP DATABASE IF EXISTS "${datname.replaceAll('"', '""')}" WITH (FORCE)`);
    return rows.length;
  } finally {
    await c.end();
  }
}
