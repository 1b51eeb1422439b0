import os from 'node:os';
import path from 'node:path';
import { mkdtempSync, rmSync } from 'node:fs';
import { Client } from 'pg';
import pino from 'pino';
import { startEmbeddedPostgres } from '../../src/platform/db/embedded-postgres';

/**
 * The tests' database: a fresh one per run (createTestDatabase), and direct reads of stored state
 * (query, waitFor) to assert what the API did.
 */

export interface TestDatabase {
  /** What the service connects with (on the embedded PostgreSQL: its non-superuser role). */
  url: string;
  /** A superuser on the same database, for assertions and test tooling (never the service). */
  superuserUrl: string;
  drop(): Promise<void>;
}

/**
 * Each test run gets a fresh database: a new one on the server of DATABASE_URL when set (CI), else a
 * throw-away embedded PostgreSQL in a temporary directory.
 */
let created = 0;

export async function createTestDatabase(): Promise<TestDatabase> {
  created += 1;
  const serverUrl = process.env['DATABASE_URL'];
  if (serverUrl) return createDatabaseOnServer(serverUrl, `quickstock_test_${Date.now()}_${process.pid}_${created}`);
  const name = `quickstock_test_${Date.now()}_${process.pid}_${created}`;
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
