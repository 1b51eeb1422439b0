import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Sequelize } from 'sequelize-typescript';
import type { Config } from './platform/config';
import { createDatabase } from './platform/db/database';
import { migrate } from './platform/db/migrator';
import { createApp } from './app';
import { startMetricsServer } from './platform/http/metrics-server';
import { createServices, type Services } from './services';
import { UserModel } from './users';
import { ProductModel } from './products';
import { inventoryJobs, type StockFiguresPublisher } from './inventory';
import { orderJobs } from './orders';
import { paymentJobs } from './payments';
import { outgoingWebhookJobs } from './outgoing-webhooks';
import { emailJobs } from './email';
import { seedDemoCatalog } from './products/demo-catalog';
import { realtimeJobs, RealtimeGateway, type EventDispatcher } from './realtime';
import { housekeepingJobs, type Housekeeper } from './housekeeping';
import { BackgroundJobs } from './platform/background/background-jobs';
import { assertPatchedVersions, poolActivity } from './platform/patches';
import { passwordResetTokenPurge, refreshTokenPurge } from './auth';
import { idempotencyKeyPurge } from './platform/idempotency';
import { eventPurge } from './platform/events';
import { removeSetupLinkFile, SetupCodeModel, writeSetupLinkFile } from './setup';

export interface RunningServer {
  port: number;
  services: Services;
  realtime: RealtimeGateway;
  /** The 127.0.0.1 port serving /metrics (METRICS_PORT), or null. */
  metricsPort: number | null;
  /** The background jobs, in start order (they stop in the reverse order). */
  jobs: BackgroundJobs;
  dispatcher: EventDispatcher;
  housekeeper: Housekeeper;
  stockFigures: StockFiguresPublisher;
  /**
   * The one-time link that creates the first admin, when none exists: for the caller to print on a
   * terminal (`file` null), or already written to `file` (its path logged, never the link).
   */
  setupLink: { url: string; expiresAt: Date; file: string | null } | null;
  /**
   * Drain for `graceMs` (readiness 503, every response `Connection: close`, the port still open),
   * then stop accepting, finish in-flight requests, stop background work, close connections.
   */
  stop(graceMs?: number): Promise<void>;
}

/**
 * Starts HTTP and the background work on an already reachable database: migrations, the first admin,
 * demo data, then listening.
 */
export async function startServer(
  config: Config,
  logger: Logger,
  databaseUrl: string,
  options: { issueSetupLink?: boolean; bindModels?: boolean; onTerminal?: boolean } = {},
): Promise<RunningServer> {
  // Before anything runs on a patched dependency (platform/patches): a version never checked stops here.
  assertPatchedVersions();
  // sequelize-typescript binds the model classes, not an instance: a second server started in the
  // same process on the same database (tests only) passes bindModels: false and leaves them bound
  // to the first; its own pool still runs its transactions and raw SQL.
  const bindModels = options.bindModels ?? true;
  const sequelize = createDatabase(databaseUrl, logger, { poolMax: config.dbPoolMax, models: bindModels ? [UserModel, ProductModel, SetupCodeModel] : [] });
  const redis = config.redisUrl ? new Redis(config.redisUrl, { lazyConnect: false, enableOfflineQueue: false, maxRetriesPerRequest: 1 }) : null;
  redis?.on('error', (err) => logger.warn({ err: err.message }, 'redis error'));
  const services = createServices(config, logger, sequelize, redis, { bindModels });
  const app = createApp(services);
  const server = http.createServer(app);
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  const realtime = new RealtimeGateway(server, services);
  const hooks = services.outgoingWebhooks;
  const { db } = services;
  // Each module purges its own tables.
  const housekeeping = housekeepingJobs(config.housekeepingIntervalMs, logger, [
    idempotencyKeyPurge(db),
    refreshTokenPurge(db),
    passwordResetTokenPurge(db),
    eventPurge(db, config.realtime.retentionHours),
    hooks.purge,
    services.email.purge,
  ]);
  const dispatch = realtimeJobs(services.db, realtime, config.realtime, logger);
  const inventory = inventoryJobs(services.db, logger);
  // Started in this order, stopped in the reverse: the stock figures (which write outbox events) stop
  // first, then the dispatcher, the order expiry sweep, the refund retry, the outgoing webhooks, the
  // mail and the housekeeping, all before realtime and the pool close.
  const jobs = new BackgroundJobs(
    [
      ...housekeeping.jobs,
      ...emailJobs(services.email).jobs,
      ...outgoingWebhookJobs(hooks).jobs,
      ...paymentJobs(services.paymentsService, config, logger).jobs,
      ...orderJobs(services.orders, config, logger).jobs,
      ...dispatch.jobs,
      ...inventory.jobs,
    ],
    logger,
  );
  try {
    await migrate(sequelize, databaseUrl, logger);
    await services.outgoingWebhooks.resealLegacySecrets();
    await services.users.ensureInitialAdmin(config.admin);
    if (config.seedDemo) await seedDemoCatalog(services.db, logger);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(config.port, config.host, () => resolve());
    });
    await jobs.start();
  } catch (err) {
    // A failed start (a port in use, a database out of reach, a job that cannot start) leaves no
    // connection behind.
    if (server.listening) {
      await new Promise((resolve) => {
        server.close(resolve);
        server.closeAllConnections();
      });
    }
    await realtime.close().catch(() => undefined);
    redis?.disconnect();
    await sequelize.close().catch(() => undefined);
    throw err;
  }
  const port = (server.address() as AddressInfo).port;
  const metricsServer = config.metrics.port === null ? null : await startMetricsServer(services.metrics.registry, config.metrics.port);
  logger.info({ port }, 'QuickStock listening');
  const onTerminal = options.onTerminal ?? process.stdout.isTTY === true;
  const setupLink = options.issueSetupLink === false ? null : await issueSetupLink(services, config, port, onTerminal);

  let stopping: Promise<void> | undefined;
  return {
    port,
    services,
    realtime,
    metricsPort: metricsServer?.port ?? null,
    jobs,
    dispatcher: dispatch.dispatcher,
    housekeeper: housekeeping.housekeeper,
    stockFigures: inventory.stockFigures,
    setupLink,
    stop(graceMs = 0) {
      stopping ??= (async () => {
        services.lifecycle.startDraining();
        if (graceMs > 0) await new Promise((resolve) => setTimeout(resolve, graceMs));
        await jobs.stop();
        await realtime.close();
        await metricsServer?.close();
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        // Keep-alive connections are closed as soon as their request in flight has been answered;
        // requests still running 10 s later have their connections cut.
        server.closeIdleConnections();
        const idleSweep = setInterval(() => server.closeIdleConnections(), 50);
        const timer = setTimeout(() => server.closeAllConnections(), 10_000);
        await closed;
        clearInterval(idleSweep);
        // Handlers of requests whose clients already left may still be waiting for the database.
        await drainPool(sequelize, 10_000);
        clearTimeout(timer);
        redis?.disconnect();
        await sequelize.close();
        logger.info('QuickStock stopped');
      })();
      return stopping;
    },
  };
}

/** Where people reach this service: PUBLIC_URL, else this machine's name for a local listener. */
export function publicBaseUrl(config: Config, port: number): string {
  if (config.publicUrl) return config.publicUrl;
  const local = ['0.0.0.0', '::', '127.0.0.1', '::1', 'localhost'].includes(config.host);
  const host = local ? 'localhost' : config.host.includes(':') ? `[${config.host}]` : config.host;
  return `http://${host}:${port}`;
}

/**
 * With no admin yet, issues a one-time setup code. Whoever holds its link becomes the first admin,
 * so the link never goes to the logs (which collectors ship and many people read): on a terminal the
 * caller prints it; elsewhere (a container, CI, a pipe) it goes to a 0600 file under DATA_DIR and
 * the log says only where.
 */
async function issueSetupLink(services: Services, config: Config, port: number, onTerminal: boolean): Promise<RunningServer['setupLink']> {
  const issued = await services.setup.issueCode();
  if (!issued) {
    removeSetupLinkFile(config.dataDir);
    return null;
  }
  const url = `${publicBaseUrl(config, port)}/console/setup#code=${issued.code}`;
  const expiresAt = issued.expiresAt.toISOString();
  if (onTerminal) {
    services.logger.info({ expiresAt }, 'No admin exists yet: the one-time link that creates the first admin is printed on the terminal');
    return { url, expiresAt: issued.expiresAt, file: null };
  }
  const file = writeSetupLinkFile(config.dataDir, url);
  services.logger.warn(
    { setupLinkFile: file, expiresAt },
    `No admin exists yet. The one-time link that creates the first admin (valid for an hour) is in ${file}, readable by this user only`,
  );
  return { url, expiresAt: issued.expiresAt, file };
}

/** Waits until no query holds or waits for a pooled connection (or the grace period ends). */
async function drainPool(sequelize: Sequelize, graceMs: number): Promise<void> {
  const deadline = Date.now() + graceMs;
  while (poolActivity(sequelize) > 0 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
