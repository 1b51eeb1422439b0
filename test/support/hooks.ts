import 'reflect-metadata';
import nock from 'nock';
import pino from 'pino';
import { Client } from 'pg';
import { loadConfig } from '../../src/platform/config';
import { startServer, type RunningServer } from '../../src/server';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startEmbeddedPostgres, type EmbeddedDatabase } from '../../src/platform/db/embedded-postgres';
import { createTestDatabase, dropDatabasesStartingWith, scratchPrefix, type TestDatabase } from '../../test-kit/scratch-database';
import { openAssertionClient } from './database';
import { startTestSmtpServer, type TestSmtpServer } from './smtp';

export const ADMIN = { email: 'admin@quickstock.test', password: 'admin-password-123' };
export const TEST_JWT_SECRET = 'test-secret-that-is-long-enough-for-hs256-0123456789';

export const testEnv: Record<string, string> = {
  NODE_ENV: 'test',
  PORT: '0',
  HOST: '127.0.0.1',
  JWT_SECRET: TEST_JWT_SECRET,
  // Production requires it with DATABASE_URL; specs that start a service as production get it here.
  WEBHOOK_SECRETS_KEY: Buffer.alloc(32, 9).toString('base64'),
  ADMIN_EMAIL: ADMIN.email,
  ADMIN_PASSWORD: ADMIN.password,
  SEED_DEMO: 'false',
  LOG_LEVEL: process.env['TEST_LOG_LEVEL'] ?? 'silent',
  SWEEPER_INTERVAL_MS: '200',
  VALIDATE_RESPONSES: 'true',
  DB_POOL_MAX: '20',
  // Specs place many orders and payments as one customer; the specs of these limits start a
  // service with them on (test/api/orders/customer-limits.spec.ts, order-rate-limits.spec.ts).
  MAX_OPEN_UNPAID_ORDERS_PER_CUSTOMER: '0',
  RATE_LIMIT_ORDERS_PER_MINUTE: '0',
  RATE_LIMIT_PAYMENTS_PER_MINUTE: '0',
};

/** The providers of the root harness point at the nock fakes of test/support/fakes. */
export const STRIPE_WEBHOOK_SECRET = 'whsec_test_secret_for_quickstock';
export const EASYPOST_WEBHOOK_SECRET = 'easypost-webhook-secret-ﬁ-test';
export const providerEnv: Record<string, string> = {
  STRIPE_SECRET_KEY: 'sk_test_quickstock',
  STRIPE_WEBHOOK_SECRET,
  STRIPE_API_URL: 'https://stripe.fake.test',
  EASYPOST_API_KEY: 'EZTK_test_quickstock',
  EASYPOST_WEBHOOK_SECRET,
  EASYPOST_API_URL: 'https://easypost.fake.test/v2/',
  WAREHOUSE_ADDRESS_COMPANY: 'QuickStock Magazzino',
  WAREHOUSE_ADDRESS_LINE1: 'Via della Logistica 10',
  WAREHOUSE_ADDRESS_CITY: 'Bologna',
  WAREHOUSE_ADDRESS_POSTAL_CODE: '40100',
  WAREHOUSE_ADDRESS_PROVINCE: 'BO',
  WAREHOUSE_ADDRESS_COUNTRY: 'IT',
  WAREHOUSE_ADDRESS_PHONE: '+39 051 000000',
  PROVIDER_TIMEOUT_MS: '400',
  PROVIDER_RETRY_MAX_ATTEMPTS: '2',
  PROVIDER_RETRY_BASE_DELAY_MS: '5',
  PROVIDER_RETRY_MAX_DELAY_MS: '20',
  PROVIDER_BREAKER_THRESHOLD: '1000',
  PROVIDER_MAX_RESPONSE_BYTES: '65536',
};

interface Harness {
  baseUrl: string;
  server: RunningServer;
  database: TestDatabase;
  /** A direct connection for asserting stored state. */
  db: Client;
  /** The SMTP server every service of this harness sends its mail to (test/support/smtp.ts). */
  smtp: TestSmtpServer;
}

/** Mail settings of every service on the harness's database: they all send to the harness's SMTP server. */
export const PUBLIC_URL_IN_TESTS = 'http://quickstock.test';
export function mailEnv(smtp: TestSmtpServer): Record<string, string> {
  return { SMTP_URL: smtp.url, PUBLIC_URL: PUBLIC_URL_IN_TESTS, MAIL_RETRY_SCHEDULE_MS: '200,400,800', MAIL_TIMEOUT_MS: '2000', MAIL_POLL_MS: '200' };
}

let harness: Harness | undefined;

export function h(): Harness {
  if (!harness) throw new Error('test harness not started');
  return harness;
}

/**
 * Starts a service on port 0 against a database: the suite's own (by the root hooks), or a second
 * instance on the suite's database (test/support/services.ts `startSecondService`, which specs use).
 * sequelize-typescript binds model classes, not instances, so a second instance in this process
 * leaves them bound to the suite's service (same database) and never takes them over. A service on
 * another database runs as a child process instead (`startServiceProcess` there).
 */
export async function startService(databaseUrl: string, env: Record<string, string> = {}, logger: pino.Logger | undefined = undefined): Promise<RunningServer> {
  const suite = harness;
  if (suite && databaseUrl !== suite.database.url) {
    throw new Error('a second in-process service must use the suite database; start a child process for another database (services.ts startServiceProcess)');
  }
  // Every instance on the suite's database has the same mail settings, as a real deployment's do:
  // one without SMTP_URL would record the mails it fans out as skipped.
  const mail = suite ? mailEnv(suite.smtp) : {};
  const config = loadConfig({ ...testEnv, ...mail, DATABASE_URL: databaseUrl, ...env });
  return startServer(config, logger ?? pino({ level: config.logLevel }), databaseUrl, { bindModels: suite === undefined });
}

/**
 * In mocha's parallel mode (`make test`) each worker process runs many spec files one after the
 * other, and root `beforeAll`/`afterAll` hooks run around *each file*. The harness (a database and
 * an in-process service) is made once per worker, on its first file, and kept for the next ones,
 * as a serial run keeps it for every file; the worker's exit ends the service, and the global
 * teardown (in mocha's main process) drops every database of the run.
 */
const IN_WORKER = process.env['MOCHA_WORKER_ID'] !== undefined;

async function startHarness(): Promise<void> {
  nock.disableNetConnect();
  nock.enableNetConnect((host) => /^(127\.0\.0\.1|localhost|\[::1\])(:\d+)?$/.test(host));
  const database = await createTestDatabase();
  const smtp = await startTestSmtpServer();
  const server = await startService(database.url, { ...providerEnv, ...mailEnv(smtp) });
  const db = await openAssertionClient(database.superuserUrl);
  harness = { baseUrl: `http://127.0.0.1:${server.port}`, server, database, db, smtp };
}

export const mochaHooks = {
  async beforeAll(this: Mocha.Context) {
    this.timeout(120_000);
    if (!harness) await startHarness();
  },
  async afterAll(this: Mocha.Context) {
    this.timeout(60_000);
    if (!harness || IN_WORKER) return;
    await harness.db.end();
    await harness.server.stop();
    await harness.smtp.stop();
    await harness.database.drop();
    harness = undefined;
  },
};

let embedded: EmbeddedDatabase | undefined;
let embeddedDir: string | undefined;

/**
 * Runs once in mocha's main process, before any worker starts (workers inherit its environment):
 * names the run, so every scratch database of it shares a prefix, and without DATABASE_URL starts
 * one throw-away embedded PostgreSQL for the whole run instead of one per database.
 */
export async function mochaGlobalSetup(): Promise<void> {
  process.env['QUICKSTOCK_TEST_RUN'] ??= `${Date.now().toString(36)}_${process.pid}`;
  if (process.env['DATABASE_URL']) return;
  embeddedDir = mkdtempSync(path.join(os.tmpdir(), 'quickstock-test-'));
  embedded = await startEmbeddedPostgres(embeddedDir, 'postgres', pino({ level: 'silent' }), { persistent: false });
  process.env['DATABASE_URL'] = embedded.adminUrl;
}

/** Runs once in the main process after every worker has exited: drops what the run left behind. */
export async function mochaGlobalTeardown(): Promise<void> {
  if (embedded) {
    await embedded.stop();
    rmSync(embeddedDir!, { recursive: true, force: true });
    delete process.env['DATABASE_URL'];
    return;
  }
  const serverUrl = process.env['DATABASE_URL'];
  if (serverUrl) await dropDatabasesStartingWith(serverUrl, scratchPrefix());
}
