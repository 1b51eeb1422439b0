import 'reflect-metadata';
import cluster, { type Worker } from 'node:cluster';
import type { Logger } from 'pino';
import { loadConfig, ConfigError, type Config } from './platform/config';
import { createLogger } from './platform/logger';
import { startEmbeddedPostgres, type EmbeddedDatabase } from './platform/db/embedded-postgres';
import { startServer } from './server';

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
  const logger = createLogger(config.logLevel);
  if (config.clusterWorkers > 1 && cluster.isPrimary) await runPrimary(config, logger);
  else await runServer(config, logger);
}

/** A single process, or one cluster worker (which is given DATABASE_URL by its primary). */
async function runServer(config: Config, logger: Logger): Promise<void> {
  const { databaseUrl, embedded } = await openDatabase(config, logger);
  let server;
  try {
    server = await startServer(config, logger, databaseUrl);
  } catch (err) {
    logger.fatal({ err }, 'start-up failed');
    await embedded?.stop();
    process.exit(1);
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
async function runPrimary(config: Config, logger: Logger): Promise<void> {
  const { databaseUrl, embedded } = await openDatabase(config, logger);
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
}

void main();
