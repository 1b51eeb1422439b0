import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import type { Logger } from 'pino';
import { createTestDatabase, type TestDatabase } from '../../test-kit/scratch-database';
import { startServiceProcess as spawnService, type RunningService } from '../../test-kit/service-process';
import { h, mailEnv, startService, testEnv } from './hooks';

/**
 * The one place a test starts a service besides the suite's own (test/README.md says which to use):
 *
 * - `withSecondService` / `startSecondService`: a second instance *in this process*, on the suite's
 *   database, with other settings (limits, NODE_ENV, TRUST_PROXY, timeouts…). Cheap (no migrations,
 *   no process start), and the nock fakes see its outbound calls. sequelize-typescript binds model
 *   classes, not instances, so it cannot have a database of its own.
 * - `startServiceProcess`: the real process entry (src/main.ts under tsx) as a child process, on a
 *   fresh database of its own (dropped on stop) or on `databaseUrl`. For what the first cannot do:
 *   another database (no admin yet, a private PostgreSQL to restart), signals and kill -9, several
 *   processes sharing Redis, the logs of a start-up.
 */

export interface SecondService {
  baseUrl: string;
  port: number;
  metricsPort: number | null;
  stop(): Promise<void>;
}

/** A second instance in this process on the suite's database, with `env` over the suite's settings. */
export async function startSecondService(env: Record<string, string> = {}, logger?: Logger): Promise<SecondService> {
  const server = await startService(h().database.url, env, logger);
  return { baseUrl: `http://127.0.0.1:${server.port}`, port: server.port, metricsPort: server.metricsPort, stop: () => server.stop() };
}

/** Runs a second in-process instance (see `startSecondService`) for the duration of `fn`. */
export async function withSecondService<T>(env: Record<string, string>, fn: (baseUrl: string) => Promise<T>): Promise<T> {
  const second = await startSecondService(env);
  try {
    return await fn(second.baseUrl);
  } finally {
    await second.stop();
  }
}

export interface ServiceProcessOptions {
  /** Over the suite's settings (test/support/hooks.ts `testEnv`); PORT, DATABASE_URL and DATA_DIR are set here. */
  env?: Record<string, string>;
  /** false: no ADMIN_EMAIL/ADMIN_PASSWORD, as on a fresh install (start-up prints a setup link; waits for it). */
  admin?: boolean;
  /** The data folder (DATA_DIR); a temporary one, removed on stop, when omitted. */
  dataDir?: string;
  /** Capture stdout as JSON log lines at LOG_LEVEL=info into `logs` (default: on a fresh database). */
  logs?: boolean;
  /** Preload test/support/fakes/child-fakes.ts: Stripe and EasyPost answered by the suite's nock fakes. */
  fakes?: boolean;
}

export type ServiceProcess = RunningService;

/** A child-process service on a fresh database, with a direct connection to it for assertions. */
export interface FreshService extends ServiceProcess {
  db: Client;
}

/** A process on the suite's database sends mail where the suite's service does (one without SMTP_URL would skip them). */
function suiteMailEnv(databaseUrl: string): Record<string, string> {
  try {
    return h().database.url === databaseUrl ? mailEnv(h().smtp) : {};
  } catch {
    return {};
  }
}

/** The real process entry on `databaseUrl` (the caller creates and drops that database). */
export function startServiceProcess(options: ServiceProcessOptions & { databaseUrl: string }): Promise<ServiceProcess>;
/** The real process entry on a fresh database of its own, dropped by `stop()`. */
export function startServiceProcess(options?: ServiceProcessOptions): Promise<FreshService>;
export async function startServiceProcess(options: ServiceProcessOptions & { databaseUrl?: string } = {}): Promise<ServiceProcess | FreshService> {
  const database: TestDatabase | undefined = options.databaseUrl === undefined ? await createTestDatabase() : undefined;
  const databaseUrl = options.databaseUrl ?? database!.url;
  const ownDataDir = options.dataDir === undefined ? mkdtempSync(path.join(os.tmpdir(), 'quickstock-service-')) : undefined;
  const logs = options.logs ?? database !== undefined;
  const admin = options.admin ?? true;
  const cleanUp = async () => {
    if (ownDataDir) rmSync(ownDataDir, { recursive: true, force: true });
    await database?.drop();
  };
  let service: RunningService;
  try {
    service = await spawnService({
      entry: 'src/main.ts',
      nodeArgs: ['--import', 'tsx', ...(options.fakes ? ['--import', path.join(__dirname, 'fakes/child-fakes.ts')] : [])],
      captureLogs: logs,
      env: {
        ...testEnv,
        ...suiteMailEnv(databaseUrl),
        SHUTDOWN_GRACE_MS: '0',
        ...(logs ? { LOG_LEVEL: 'info' } : {}),
        ...(admin ? {} : { ADMIN_EMAIL: '', ADMIN_PASSWORD: '' }),
        ...options.env,
        DATA_DIR: options.dataDir ?? ownDataDir!,
        DATABASE_URL: databaseUrl,
      },
    });
    // With no admin the service writes its setup link right after it starts listening and logs
    // where: wait for that line too, so a test reads the logs of a service that has finished starting.
    if (!admin && logs) await waitForLog(service, (l) => typeof l['setupLinkFile'] === 'string', 'where the setup link is');
  } catch (err) {
    await cleanUp();
    throw err;
  }
  running.add(service);
  const stop = async () => {
    await service.stop();
    running.delete(service);
    await cleanUp();
  };
  if (!database) return { ...service, stop };
  const db = new Client({ connectionString: databaseUrl });
  await db.connect();
  return {
    ...service,
    db,
    async stop() {
      await db.end();
      await stop();
    },
  };
}

/**
 * Child services not stopped yet. A `before` hook that times out while a service starts never gets
 * the service to stop: whatever is left is killed when this process exits (a mocha worker's exit,
 * or the end of a serial run), so no test leaves a process running.
 */
const running = new Set<RunningService>();
process.once('exit', () => {
  for (const service of running) service.process.kill('SIGKILL');
});

async function waitForLog(service: RunningService, match: (line: Record<string, unknown>) => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (!service.logs.some(match)) {
    if (Date.now() > deadline) {
      await service.stop();
      throw new Error(`the service did not log ${what} in 30 s`);
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** The setup link the service wrote at start-up, read from the file its log names (fails when there is none). */
export function printedSetupLink(logs: Record<string, unknown>[]): string {
  const line = logs.find((l) => typeof l['setupLinkFile'] === 'string');
  if (!line) throw new Error('no setup link was written');
  return readFileSync(line['setupLinkFile'] as string, 'utf8').trim();
}
