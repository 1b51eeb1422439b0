import { Client } from 'pg';
import type { Logger } from 'pino';

/*
 * The embedded PostgreSQL's roles (embedded-postgres.ts starts the server): the service's own role
 * `quickstock`, owner of the application database, set up by the superuser once per start; and the
 * move of a data directory of an earlier version (the source's superuser password, objects owned by
 * `postgres`) to that arrangement.
 */

/** Thrown when the embedded database cannot run in this layout; its message is one plain sentence. */
export class EmbeddedPostgresError extends Error {
  override name = 'EmbeddedPostgresError';
}

/** The bootstrap superuser. */
export const USER = 'postgres';
/** The service's role: LOGIN, owner of the application database, nothing more. */
export const EMBEDDED_ROLE = 'quickstock';
/** The superuser password that earlier versions wrote in the source: only ever tried, to replace it. */
const LEGACY_PASSWORD = 'quickstock-embedded';

/** A connection URL to the running server as `user`. */
export type UrlAt = (user: string, password: string, database: string) => string;

/**
 * As the superuser, once per start and before the service's pool opens: the service's role (created,
 * its password and attributes set), and the application database owned by it. A data directory of an
 * earlier version also gets its superuser password replaced and everything the service created as
 * `postgres` handed to the role; one log line says so.
 */
export async function prepareDatabase(
  at: UrlAt,
  database: string,
  pgData: string,
  passwords: { superuser: string; superuserFile: string; role: string },
  logger: Logger,
): Promise<void> {
  const admin = await connectSuperuser(at, 'postgres', passwords, pgData);
  let created = false;
  try {
    await admin.client.query(`DO $$ BEGIN
      IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '${EMBEDDED_ROLE}') THEN CREATE ROLE ${EMBEDDED_ROLE}; END IF;
    END $$`);
    await admin.client.query(
      `ALTER ROLE ${EMBEDDED_ROLE} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS INHERIT PASSWORD ${admin.client.escapeLiteral(passwords.role)}`,
    );
    const exists = await admin.client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (exists.rowCount === 0) {
      await admin.client.query(`CREATE DATABASE ${admin.client.escapeIdentifier(database)} OWNER ${EMBEDDED_ROLE}`);
      created = true;
    }
  } finally {
    await admin.client.end();
  }
  const moved = created ? 0 : await handDatabaseToRole(at(USER, passwords.superuser, database), database);
  if (admin.legacy || moved > 0) {
    logger.warn(
      { role: EMBEDDED_ROLE, database, objects: moved, passwordFile: passwords.superuserFile },
      `embedded PostgreSQL of an earlier version secured: the superuser password written in the source is replaced by a random one, and the service now connects as role ${EMBEDDED_ROLE} (no superuser), which owns the database and its ${moved} objects`,
    );
  }
}

/** The superuser, with the password of DATA_DIR; a data directory still on the source's password gets that one now. */
async function connectSuperuser(
  at: UrlAt,
  database: string,
  passwords: { superuser: string; superuserFile: string },
  pgData: string,
): Promise<{ client: Client; legacy: boolean }> {
  const connect = async (password: string) => {
    const client = new Client({ connectionString: at(USER, password, database) });
    client.on('error', () => undefined);
    await client.connect();
    return client;
  };
  try {
    return { client: await connect(passwords.superuser), legacy: false };
  } catch (err) {
    if ((err as { code?: string }).code !== '28P01') throw err;
  }
  let client: Client;
  try {
    client = await connect(LEGACY_PASSWORD);
  } catch (err) {
    if ((err as { code?: string }).code !== '28P01') throw err;
    throw new EmbeddedPostgresError(
      `The embedded PostgreSQL in ${pgData} refuses the superuser password of ${passwords.superuserFile}: restore that file, or move ${pgData} away to start afresh, or set DATABASE_URL.`,
    );
  }
  await client.query(`ALTER ROLE ${USER} PASSWORD ${client.escapeLiteral(passwords.superuser)}`);
  return { client, legacy: true };
}

/**
 * Makes the service's role the owner of `database` and of everything in it that the bootstrap
 * superuser owns (what an earlier version created while connecting as `postgres`): schemas, tables,
 * views, standalone sequences (a column's sequence follows its table, indexes follow theirs),
 * routines, types and domains, statistics objects. Extension members stay as they are (a trusted
 * extension's objects belong to the bootstrap superuser when the owner creates it, too).
 * `REASSIGN OWNED BY postgres` refuses the bootstrap superuser, hence one ALTER per object, all in
 * one transaction. Returns how many objects changed hands (0 on a database already moved).
 */
async function handDatabaseToRole(superuserUrl: string, database: string): Promise<number> {
  const client = new Client({ connectionString: superuserUrl });
  client.on('error', () => undefined);
  await client.connect();
  try {
    const owner = await client.query<{ owner: string }>('SELECT datdba::regrole::text AS owner FROM pg_database WHERE datname = $1', [database]);
    const statements = await client.query<{ sql: string }>(REASSIGN_STATEMENTS);
    if (owner.rows[0]?.owner === EMBEDDED_ROLE && statements.rowCount === 0) return 0;
    await client.query('BEGIN');
    if (owner.rows[0]?.owner !== EMBEDDED_ROLE) await client.query(`ALTER DATABASE ${client.escapeIdentifier(database)} OWNER TO ${EMBEDDED_ROLE}`);
    for (const { sql } of statements.rows) await client.query(sql);
    await client.query('COMMIT');
    return statements.rows.length + (owner.rows[0]?.owner === EMBEDDED_ROLE ? 0 : 1);
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    await client.end();
  }
}

/** One `ALTER … OWNER TO quickstock` per object of the bootstrap superuser (oid 10) in this database. */
const REASSIGN_STATEMENTS = `
  WITH user_ns AS (
    SELECT oid FROM pg_namespace
     WHERE nspname NOT IN ('pg_catalog', 'information_schema') AND nspname NOT LIKE 'pg\\_toast%' AND nspname NOT LIKE 'pg\\_temp\\_%'
  ), member AS (
    SELECT classid, objid FROM pg_depend WHERE deptype = 'e'
  )
  SELECT format('ALTER SCHEMA %I OWNER TO ${EMBEDDED_ROLE}', n.nspname) AS sql, 1 AS step
    FROM pg_namespace n
   WHERE n.oid IN (SELECT oid FROM user_ns) AND n.nspowner = 10
     AND (n.oid, 'pg_namespace'::regclass) NOT IN (SELECT objid, classid FROM member)
  UNION ALL
  SELECT format('ALTER %s %s OWNER TO ${EMBEDDED_ROLE}',
           CASE c.relkind WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW' WHEN 'f' THEN 'FOREIGN TABLE'
                          WHEN 'S' THEN 'SEQUENCE' WHEN 'c' THEN 'TYPE' ELSE 'TABLE' END,
           c.oid::regclass), 2
    FROM pg_class c
   WHERE c.relnamespace IN (SELECT oid FROM user_ns) AND c.relowner = 10 AND c.relkind IN ('r', 'p', 'v', 'm', 'f', 'S', 'c')
     AND (c.oid, 'pg_class'::regclass) NOT IN (SELECT objid, classid FROM member)
     AND NOT (c.relkind = 'S' AND EXISTS (
       SELECT 1 FROM pg_depend d
        WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.refclassid = 'pg_class'::regclass AND d.deptype IN ('a', 'i')))
  UNION ALL
  SELECT format('ALTER %s %s OWNER TO ${EMBEDDED_ROLE}',
           CASE p.prokind WHEN 'a' THEN 'AGGREGATE' WHEN 'p' THEN 'PROCEDURE' ELSE 'FUNCTION' END, p.oid::regprocedure), 3
    FROM pg_proc p
   WHERE p.pronamespace IN (SELECT oid FROM user_ns) AND p.proowner = 10
     AND (p.oid, 'pg_proc'::regclass) NOT IN (SELECT objid, classid FROM member)
  UNION ALL
  SELECT format('ALTER %s %s OWNER TO ${EMBEDDED_ROLE}', CASE t.typtype WHEN 'd' THEN 'DOMAIN' ELSE 'TYPE' END, t.oid::regtype), 4
    FROM pg_type t
   WHERE t.typnamespace IN (SELECT oid FROM user_ns) AND t.typowner = 10 AND t.typtype IN ('e', 'd', 'r')
     AND NOT EXISTS (SELECT 1 FROM pg_type e WHERE e.typarray = t.oid)
     AND (t.oid, 'pg_type'::regclass) NOT IN (SELECT objid, classid FROM member)
  UNION ALL
  SELECT format('ALTER STATISTICS %I.%I OWNER TO ${EMBEDDED_ROLE}', n.nspname, s.stxname), 5
    FROM pg_statistic_ext s JOIN pg_namespace n ON n.oid = s.stxnamespace
   WHERE s.stxnamespace IN (SELECT oid FROM user_ns) AND s.stxowner = 10
  ORDER BY 2, 1`;
