import 'reflect-metadata';
import cluster, { type Worker } from 'node:cluster';
import type { Logger } from 'pino';
import { loadConfig, ConfigError, type Config } from './platform/config';
import { createLogger, formatBanner, resolveLogFormat } from './platform/logger';
import { startEmbeddedPostgres, EmbeddedPostgresError, type EmbeddedDatabase } from './platform/db/embedded-postgres';
import { PatchedVersionError } from './platform/patches';
import { publicBaseUrl, startServer, type RunningServer } from './server';

/**
 * Process entry: config → database → migrations → server, and a graceful stop on SIGTERM/SIGINT.
 * With CLUSTER_WORKERS above 1 this process becomes the primary of that many workers.
 */
async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(78);
    }
    throw err;
  }
  const format = resolveLogFormat(config.logFormat, process.stdout.isTTY === true);
  const logger = createLogger(config.logLevel, format);
  if (config.clusterWorkers > 1 && cluster.isPrimary) await runPrimary(config, logger, format === 'pretty');
  else await runServer(config, logger, format === 'pretty');
}

/** A single process, or one cluster worker (which is given DATABASE_URL by its primary). */
async function runServer(config: Config, logger: Logger, showBanner: boolean): Promise<void> {
  let embedded: EmbeddedDatabase | undefined;
  let server: RunningServer;
  try {
    const database = await openDatabase(config, logger);
    embedded = database.embedded;
    // Only the first worker of a cluster prints a setup link: one link, not one per worker.
    server = await startServer(config, logger, database.databaseUrl, { issueSetupLink: !cluster.isWorker || cluster.worker?.id === 1 });
    // On a terminal the setup link is printed here, never logged (see issueSetupLink).
    const printedLink = server.setupLink?.file === null ? server.setupLink : null;
    if (showBanner && !cluster.isWorker) {
      const baseUrl = publicBaseUrl(config, server.port);
      process.stdout.write(formatBanner({ baseUrl, database: describeDatabase(config, embedded), setupLink: printedLink, workers: 1 }));
    } else if (printedLink) {
      process.stdout.write(`\nNo admin exists yet. To create the first one, open this link (valid once, for an hour):\n${printedLink.url}\n\n`);
    }
  } catch (err) {
    await failStart(err, config, logger, embedded);
    return;
  }
  onSignal(logger, async () => {
    await server.stop(config.shutdownGraceMs);
    await embedded?.stop();
  });
  // A worker whose primary died must not linger.
  if (cluster.isWorker) process.on('disconnect', () => process.kill(process.pid, 'SIGTERM'));
}

/**
 * The primary owns the embedded PostgreSQL (if any) and forks the workers one after another, so the
 * first alone applies migrations and seeds; a worker that dies is replaced. Workers share the port
 * (node:cluster hands connections round-robin) and share everything else through PostgreSQL and Redis.
 */
async function runPrimary(config: Config, logger: Logger, showBanner: boolean): Promise<void> {
  let database: Awaited<ReturnType<typeof openDatabase>>;
  try {
    database = await openDatabase(config, logger);
  } catch (err) {
    await failStart(err, config, logger, undefined);
    return;
  }
  const { databaseUrl, embedded } = database;
  const workerEnv = { DATABASE_URL: databaseUrl, JWT_SECRET: config.jwt.secret };
  let stopping = false;
  const fork = () =>
    new Promise<Worker>((resolve, reject) => {
      const worker = cluster.fork(workerEnv);
      const failed = (code: number) => reject(new Error(`worker ${worker.id} exited with code ${code} while starting`));
      worker.once('exit', failed);
      worker.once('listening', () => {
        worker.off('exit', failed);
        resolve(worker);
      });
    });
  try {
    for (let i = 0; i < config.clusterWorkers; i += 1) await fork();
  } catch (err) {
    logger.fatal({ err }, 'start-up failed');
    for (const worker of Object.values(cluster.workers ?? {})) worker?.kill('SIGTERM');
    await embedded?.stop();
    process.exit(1);
  }
  logger.info({ workers: config.clusterWorkers }, 'QuickStock cluster started');
  if (showBanner) {
    const banner = {
      baseUrl: publicBaseUrl(config, config.port),
      database: describeDatabase(config, embedded),
      setupLink: null,
      workers: config.clusterWorkers,
    };
    process.stdout.write(formatBanner(banner));
  }
  // A worker that dies is replaced, after a delay that doubles while workers keep dying (a database
  // outage must not become a fork loop), back to 1 s once they stay up for a minute.
  let delayMs = 1_000;
  let lastDeath = 0;
  cluster.on('exit', (worker, code, signal) => {
    if (stopping) return;
    const now = Date.now();
    delayMs = now - lastDeath > 60_000 ? 1_000 : Math.min(delayMs * 2, 60_000);
    lastDeath = now;
    logger.error({ worker: worker.id, code, signal, restartInMs: delayMs }, 'worker died; starting another');
    setTimeout(() => {
      if (stopping) return;
      fork().catch((err: unknown) => logger.error({ err }, 'replacement worker failed to start'));
    }, delayMs);
  });
  onSignal(logger, async () => {
    stopping = true;
    const workers = Object.values(cluster.workers ?? {}).filter((w): w is Worker => w !== undefined);
    await Promise.all(
      workers.map(
        (worker) =>
          new Promise<void>((resolve) => {
            if (worker.isDead()) return resolve();
            worker.once('exit', () => resolve());
            worker.process.kill('SIGTERM');
          }),
      ),
    );
    await embedded?.stop();
  });
}

/** DATABASE_URL, or the embedded PostgreSQL under DATA_DIR (started here, stopped by the caller). */
async function openDatabase(config: Config, logger: Logger): Promise<{ databaseUrl: string; embedded?: EmbeddedDatabase }> {
  if (config.databaseUrl !== null) return { databaseUrl: config.databaseUrl };
  const embedded = await startEmbeddedPostgres(config.dataDir, 'quickstock', logger);
  return { databaseUrl: embedded.url, embedded };
}

/** The data's home, for the banner: the embedded directory, or DATABASE_URL without its password. */
function describeDatabase(config: Config, embedded: EmbeddedDatabase | undefined): string {
  if (embedded) return `embedded PostgreSQL, data in ${embedded.dataDir}`;
  const url = new URL(config.databaseUrl ?? '');
  if (url.password) url.password = '***';
  return `PostgreSQL at ${url.toString()}`;
}

/**
 * Explains a failed start in one sentence where the cause is the operator's to fix (a port in use,
 * a database out of reach, a folder PostgreSQL cannot use), with the full error in the log otherwise.
 */
async function failStart(err: unknown, config: Config, logger: Logger, embedded: EmbeddedDatabase | undefined): Promise<never> {
  const sentence = explainStartFailure(err, config);
  if (sentence) process.stderr.write(`QuickStock cannot start: ${sentence}\n`);
  else logger.fatal({ err }, 'start-up failed');
  await embedded?.stop().catch(() => undefined);
  process.exit(1);
}

function explainStartFailure(err: unknown, config: Config): string | null {
  if (err instanceof EmbeddedPostgresError || err instanceof PatchedVersionError) return err.message;
  if (err instanceof ConfigError) return err.message.replace(/^Invalid configuration[^\n]*\n\s*- /, '');
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  const syscall = (err as NodeJS.ErrnoException | undefined)?.syscall;
  if (syscall === 'listen' && code === 'EADDRINUSE') {
    return `port ${config.port} is already in use on ${config.host}: stop the program that holds it, or choose another port with PORT=<number>.`;
  }
  if (syscall === 'listen' && code === 'EACCES') {
    return `this user may not listen on port ${config.port} of ${config.host}: choose a port above 1023 with PORT=<number>.`;
  }
  if (syscall === 'listen' && code === 'EADDRNOTAVAIL') {
    return `HOST=${config.host} is not an address of this machine: set HOST to one of its addresses, or 0.0.0.0 for all.`;
  }
  const name = (err as Error | undefined)?.name ?? '';
  if (config.databaseUrl !== null && /^Sequelize(Connection|HostNotFound|ConnectionRefused|AccessDenied|HostNotReachable)/.test(name)) {
    const url = new URL(config.databaseUrl);
    return `cannot connect to PostgreSQL at ${url.host}${url.pathname} (${(err as Error).message}): check DATABASE_URL and that the server is running.`;
  }
  return null;
}

function onSignal(logger: Logger, stop: () => Promise<void>): void {
  let signalled = false;
  const shutdown = (signal: string) => {
    if (signalled) return;
    signalled = true;
    logger.info({ signal }, 'shutting down');
    stop().then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
  // A closed terminal: stop cleanly rather than leave the embedded PostgreSQL behind.
  process.on('SIGHUP', () => shutdown('SIGHUP'));
}

void main();
