import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { Client } from 'pg';
import pino from 'pino';
import { freePort } from '../../test-kit/service-process';
import { createDatabase } from '../../src/platform/db/database';
import {
  EMBEDDED_ROLE,
  ROLE_PASSWORD_FILE,
  SUPERUSER_PASSWORD_FILE,
  embeddedPostgresBinaries,
  startEmbeddedPostgres,
  type EmbeddedDatabase,
} from '../../src/platform/db/embedded-postgres';
import { migrate } from '../../src/platform/db/migrator';

/** The superuser password that versions before issue 24 wrote in the source. */
const LEGACY_PASSWORD = 'quickstock-embedded';
const ROOT = path.resolve(__dirname, '../..');
const asRoot = os.userInfo().uid === 0;

/** A logger whose lines the test reads. */
function capturingLogger(): { logger: pino.Logger; lines: () => Array<{ msg: string; [key: string]: unknown }> } {
  const lines: string[] = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => lines.push(line) });
  return { logger, lines: () => lines.map((line) => JSON.parse(line) as { msg: string }) };
}

/** The error code (e.g. 28P01, 42501) of a connection or query, or 'ok'. */
async function outcome(connectionString: string, sql = 'SELECT 1'): Promise<string> {
  const client = new Client({ connectionString, connectionTimeoutMillis: 5_000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query(sql);
    return 'ok';
  } catch (err) {
    return (err as { code?: string }).code ?? (err as Error).message;
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function rows<T = Record<string, unknown>>(connectionString: string, sql: string, params: unknown[] = []): Promise<T[]> {
  const client = new Client({ connectionString });
  await client.connect();
  try {
    return (await client.query(sql, params)).rows as T[];
  } finally {
    await client.end();
  }
}

/** The same URL with another user and password. */
function withUser(url: string, user: string, password: string): string {
  const parsed = new URL(url);
  parsed.username = user;
  parsed.password = password;
  return parsed.toString();
}

const tcpRefused = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = net.connect(port, '127.0.0.1', () => {
      socket.destroy();
      resolve(false);
    });
    socket.on('error', () => resolve(true));
  });

function pgUser(): { uid: number; gid: number } {
  return { uid: Number(execFileSync('id', ['-u', 'postgres']).toString()), gid: Number(execFileSync('id', ['-g', 'postgres']).toString()) };
}

/** Runs a PostgreSQL tool as the user the server runs as (postgres when we are root). */
function runTool(bin: string, tool: string, args: string[]): void {
  const binary = path.join(bin, tool);
  if (asRoot) execFileSync('runuser', ['-u', 'postgres', '--', binary, ...args], { stdio: 'ignore', cwd: '/' });
  else execFileSync(binary, args, { stdio: 'ignore' });
}

/**
 * DATA_DIR/pg as the versions before issue 24 made it: initdb with the superuser password written in
 * the source, the server on 127.0.0.1, the service's migrations and data created as `postgres`.
 * The server is left running, as a `kill -9`'d parent of those versions leaves it.
 */
async function legacyDataDir(dataDir: string): Promise<{ port: number; pgData: string; bin: string }> {
  const bin = embeddedPostgresBinaries(pino({ level: 'silent' }));
  const pgData = path.join(dataDir, 'pg');
  mkdirSync(pgData, { mode: 0o700 });
  const pwDir = mkdtempSync(path.join(os.tmpdir(), 'quickstock-legacy-pw-'));
  writeFileSync(path.join(pwDir, 'pw'), `${LEGACY_PASSWORD}\n`, { mode: 0o600 });
  if (asRoot) {
    const { uid, gid } = pgUser();
    chmodSync(dataDir, 0o711);
    for (const p of [pgData, pwDir, path.join(pwDir, 'pw')]) chownSync(p, uid, gid);
  }
  try {
    runTool(bin, 'initdb', [
      `--pgdata=${pgData}`,
      '--auth=scram-sha-256',
      '--username=postgres',
      `--pwfile=${path.join(pwDir, 'pw')}`,
      '--encoding=UTF8',
      '--locale=C',
    ]);
  } finally {
    rmSync(pwDir, { recursive: true, force: true });
  }
  const port = await freePort();
  const options = `-p ${port} -c listen_addresses=127.0.0.1 -c unix_socket_directories='' -c max_connections=50`;
  runTool(bin, 'pg_ctl', ['-D', pgData, '-l', path.join(os.tmpdir(), `quickstock-legacy-${port}.log`), '-o', options, '-w', 'start']);
  const admin = `postgres://postgres:${LEGACY_PASSWORD}@127.0.0.1:${port}/postgres`;
  await rows(admin, 'CREATE DATABASE quickstock');
  const url = `postgres://postgres:${LEGACY_PASSWORD}@127.0.0.1:${port}/quickstock`;
  const logger = pino({ level: 'silent' });
  const sequelize = createDatabase(url, logger, { poolMax: 2, models: [] });
  try {
    await migrate(sequelize, url, logger);
  } finally {
    await sequelize.close();
  }
  await rows(url, "INSERT INTO products (sku, name, category, unit_price_cents, on_hand) VALUES ('LEGACY-1', 'Quaderno a righe', 'Cancelleria', 250, 7)");
  await rows(url, "SELECT nextval('order_number_seq')");
  return { port, pgData, bin };
}

describe('embedded PostgreSQL: a random superuser password, a unix socket, a service role without superuser (issue 24)', function () {
  this.timeout(120_000);
  let dataDir: string;
  let embedded: EmbeddedDatabase | undefined;

  beforeEach(() => {
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'quickstock-embedded-'));
  });
  afterEach(async () => {
    await embedded?.stop();
    embedded = undefined;
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('a fresh data directory: no source password, no TCP, the service role owns the database and is no superuser', async () => {
    embedded = await startEmbeddedPostgres(dataDir, 'quickstock', pino({ level: 'silent' }));
    const db = embedded;

    // The service's URL names the role, over the socket; the role is what the issue asks.
    expect(new URL(db.url).username).to.equal(EMBEDDED_ROLE);
    expect(new URL(db.url).searchParams.get('host')).to.equal(db.socketDir);
    const [role] = await rows<{ user: string; rolsuper: boolean; rolcreaterole: boolean; rolcreatedb: boolean; owner: string }>(
      db.url,
      `SELECT current_user AS user, r.rolsuper, r.rolcreaterole, r.rolcreatedb,
              (SELECT datdba::regrole::text FROM pg_database WHERE datname = current_database()) AS owner
         FROM pg_roles r WHERE r.rolname = current_user`,
    );
    expect(role).to.deep.equal({ user: EMBEDDED_ROLE, rolsuper: false, rolcreaterole: false, rolcreatedb: false, owner: EMBEDDED_ROLE });
    // What a superuser could do, the service cannot: run a program as the server's OS user.
    expect(await outcome(db.url, "COPY (SELECT 1) TO PROGRAM 'true'")).to.equal('42501');

    // The password written in the source no longer opens anything; neither does a wrong one.
    expect(await outcome(withUser(db.url, 'postgres', LEGACY_PASSWORD))).to.equal('28P01');
    expect(await outcome(withUser(db.url, EMBEDDED_ROLE, 'wrong'))).to.equal('28P01');
    expect(await outcome(withUser(db.url, EMBEDDED_ROLE, ''))).to.not.equal('ok');

    // No TCP listener at all; every rule asks for a password; the socket's directory is private.
    const [settings] = await rows<{ listen: string; trust: number }>(
      db.superuserUrl,
      "SELECT current_setting('listen_addresses') AS listen, (SELECT count(*)::int FROM pg_hba_file_rules WHERE auth_method <> 'scram-sha-256') AS trust",
    );
    expect(settings).to.deep.equal({ listen: '', trust: 0 });
    expect(statSync(db.socketDir).mode & 0o777).to.equal(0o700);
    expect(Buffer.byteLength(path.join(db.socketDir, '.s.PGSQL.5432'))).to.be.at.most(107);

    // The passwords live beside the JWT secret, readable by this user alone, and work.
    for (const file of [SUPERUSER_PASSWORD_FILE, ROLE_PASSWORD_FILE]) {
      expect(statSync(path.join(dataDir, file)).mode & 0o777, file).to.equal(0o600);
    }
    expect(decodeURIComponent(new URL(db.url).password)).to.equal(readFileSync(path.join(dataDir, ROLE_PASSWORD_FILE), 'utf8').trim());
    expect(decodeURIComponent(new URL(db.superuserUrl).password)).to.equal(readFileSync(path.join(dataDir, SUPERUSER_PASSWORD_FILE), 'utf8').trim());
    expect(readFileSync(path.join(dataDir, SUPERUSER_PASSWORD_FILE), 'utf8').trim()).to.have.length.of.at.least(40);

    // Migrations run as the role (the trusted extensions pg_trgm and unaccent included).
    const logger = pino({ level: 'silent' });
    const sequelize = createDatabase(db.url, logger, { poolMax: 2, models: [] });
    try {
      await migrate(sequelize, db.url, logger);
    } finally {
      await sequelize.close();
    }
    const owners = await rows<{ owner: string }>(db.url, "SELECT DISTINCT tableowner AS owner FROM pg_tables WHERE schemaname = 'public'");
    expect(owners).to.deep.equal([{ owner: EMBEDDED_ROLE }]);

    // A restart finds the same passwords and the data.
    const url = db.url;
    await db.stop();
    const { logger: second, lines } = capturingLogger();
    embedded = await startEmbeddedPostgres(dataDir, 'quickstock', second);
    expect(embedded.url).to.equal(url);
    expect(await outcome(embedded.url, 'SELECT 1 FROM schema_migrations LIMIT 1')).to.equal('ok');
    expect(lines().filter((l) => /earlier version/.test(l.msg))).to.deep.equal([]);
  });

  it('a data directory of an earlier version (source password, everything owned by postgres, its server left running) is moved on start', async () => {
    const legacy = await legacyDataDir(dataDir);
    try {
      const { logger, lines } = capturingLogger();
      embedded = await startEmbeddedPostgres(dataDir, 'quickstock', logger);
      const db = embedded;

      // The stale server was stopped (its TCP port is closed), and one line says what changed.
      expect(await tcpRefused(legacy.port)).to.equal(true);
      const said = lines().filter((l) => /earlier version/.test(l.msg));
      expect(said, JSON.stringify(lines())).to.have.length(1);
      expect(said[0]).to.include({ role: EMBEDDED_ROLE, database: 'quickstock' });
      expect(said[0]?.['objects']).to.be.greaterThan(20);

      expect(await outcome(withUser(db.url, 'postgres', LEGACY_PASSWORD))).to.equal('28P01');
      const [role] = await rows<{ rolsuper: boolean; owner: string }>(
        db.url,
        `SELECT r.rolsuper, (SELECT datdba::regrole::text FROM pg_database WHERE datname = current_database()) AS owner
           FROM pg_roles r WHERE r.rolname = current_user`,
      );
      expect(role).to.deep.equal({ rolsuper: false, owner: EMBEDDED_ROLE });

      // Every table, sequence and function the service made is the role's now (extension members excepted).
      const leftovers = await rows(
        db.superuserUrl,
        `SELECT c.relname AS name FROM pg_class c
          WHERE c.relnamespace = 'public'::regnamespace AND c.relowner <> '${EMBEDDED_ROLE}'::regrole
            AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = c.oid AND d.deptype = 'e')
         UNION ALL
         SELECT p.proname FROM pg_proc p
          WHERE p.pronamespace = 'public'::regnamespace AND p.proowner <> '${EMBEDDED_ROLE}'::regrole
            AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = p.oid AND d.deptype = 'e')`,
      );
      expect(leftovers).to.deep.equal([]);
      const owned = await rows<{ name: string }>(
        db.url,
        `SELECT relname AS name FROM pg_class WHERE relowner = current_user::regrole
            AND relname IN ('products', 'schema_migrations', 'order_number_seq', 'products_sku_lower_key')
         UNION ALL SELECT proname FROM pg_proc WHERE proowner = current_user::regrole AND proname = 'quickstock_unaccent'
         ORDER BY 1`,
      );
      expect(owned.map((r) => r.name)).to.deep.equal(['order_number_seq', 'products', 'products_sku_lower_key', 'quickstock_unaccent', 'schema_migrations']);

      // The data is still there, and the role can change the schema as a later migration would.
      const [product] = await rows<{ name: string; on_hand: number; seq: string }>(
        db.url,
        "SELECT name, on_hand, (SELECT last_value::text FROM order_number_seq) AS seq FROM products WHERE sku = 'LEGACY-1'",
      );
      expect(product).to.deep.equal({ name: 'Quaderno a righe', on_hand: 7, seq: '1' });
      expect(await outcome(db.url, 'BEGIN; ALTER TABLE products ADD COLUMN probe int; CREATE INDEX ON orders (id); ROLLBACK')).to.equal('ok');
      expect(await outcome(db.url, "SELECT quickstock_unaccent('perché'), similarity('a', 'b')")).to.equal('ok');
      expect(await outcome(db.url, "SELECT nextval('order_number_seq')")).to.equal('ok');

      // A second start has nothing left to move and says nothing.
      await db.stop();
      const again = capturingLogger();
      embedded = await startEmbeddedPostgres(dataDir, 'quickstock', again.logger);
      expect(again.lines().filter((l) => /earlier version/.test(l.msg))).to.deep.equal([]);
      expect(await outcome(embedded.url, "SELECT 1 FROM products WHERE sku = 'LEGACY-1'")).to.equal('ok');
    } finally {
      // Should the start have failed, the legacy server must not outlive the test.
      if (existsSync(path.join(legacy.pgData, 'postmaster.pid')) && !embedded) {
        try {
          runTool(legacy.bin, 'pg_ctl', ['-D', legacy.pgData, '-m', 'immediate', '-w', 'stop']);
        } catch {
          // already stopped
        }
      }
      rmSync(path.join(os.tmpdir(), `quickstock-legacy-${legacy.port}.log`), { force: true });
    }
  });

  it('a data directory too deep for a socket path (107 bytes): the socket goes to a private temporary folder, removed on stop', async () => {
    const deep = path.join(dataDir, 'a-folder-name-long-enough-to-push-the-socket-path-past-its-limit', 'data');
    embedded = await startEmbeddedPostgres(deep, 'quickstock', pino({ level: 'silent' }), { persistent: false });
    const { socketDir } = embedded;
    expect(socketDir.startsWith(deep)).to.equal(false);
    expect(Buffer.byteLength(path.join(socketDir, '.s.PGSQL.5432'))).to.be.at.most(107);
    expect(statSync(socketDir).mode & 0o777).to.equal(0o700);
    expect(await outcome(embedded.url, 'SELECT 1')).to.equal('ok');
    await embedded.stop();
    expect(existsSync(socketDir)).to.equal(false);
  });

  it('a kill -9 of the process leaves its PostgreSQL running: the next start stops it and gets in with the kept passwords', async () => {
    const script = `
      const pino = require('pino');
      const { startEmbeddedPostgres } = require(${JSON.stringify(path.join(ROOT, 'src/platform/db/embedded-postgres.ts'))});
      startEmbeddedPostgres(${JSON.stringify(dataDir)}, 'quickstock', pino({ level: 'silent' })).then((db) => console.log('READY ' + db.url));`;
    const child = spawn(process.execPath, ['--require', 'tsx/cjs', '-e', script], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
    const deadline = Date.now() + 60_000;
    while (!out.includes('READY') && child.exitCode === null && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    child.kill('SIGKILL');
    expect(out).to.include('READY');
    const firstUrl = out.slice(out.indexOf('READY ') + 6).trim();
    const stale = Number(readFileSync(path.join(dataDir, 'pg', 'postmaster.pid'), 'utf8').split('\n')[0]);
    expect(() => process.kill(stale, 0), 'the orphaned server is running').not.to.throw();

    embedded = await startEmbeddedPostgres(dataDir, 'quickstock', pino({ level: 'silent' }));
    expect(embedded.url).to.equal(firstUrl);
    expect(() => process.kill(stale, 0), 'the orphaned server was stopped').to.throw();
    expect(await outcome(embedded.url)).to.equal('ok');
  });
});
