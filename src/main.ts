import 'reflect-metadata';
import { loadConfig, ConfigError } from './platform/config';
import { createLogger } from './platform/logger';
import { startEmbeddedPostgres, type EmbeddedDatabase } from './platform/db/embedded-postgres';
import { startServer } from './server';

/** Process entry: config → database → migrations → server, and a graceful stop on SIGTERM/SIGINT. */
async function main(): Promise<void> {
  let config;
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
  let embedded: EmbeddedDatabase | undefined;
  let databaseUrl = config.databaseUrl;
  if (databaseUrl === null) {
    embedded = await startEmbeddedPostgres(config.dataDir, 'quickstock', logger);
    databaseUrl = embedded.url;
  }
  let server;
  try {
    server = await startServer(config, logger, databaseUrl);
  } catch (err) {
    logger.fatal({ err }, 'start-up failed');
    await embedded?.stop();
    process.exit(1);
  }
  let signalled = false;
  const shutdown = (signal: string) => {
    if (signalled) return;
    signalled = true;
    logger.info({ signal }, 'shutting down');
    void server
      .stop()
      .then(() => embedded?.stop())
      .then(
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
