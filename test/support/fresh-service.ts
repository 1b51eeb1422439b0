import pino from 'pino';
import { Client } from 'pg';
import type { RunningServer } from '../../src/server';
import { startService } from './hooks';
import { createTestDatabase, type TestDatabase } from './database';

/** A service on a database of its own, with no admin: what `make start` meets on a fresh install. */
export interface FreshService {
  baseUrl: string;
  server: RunningServer;
  /** Every log line the service wrote, parsed (JSON lines, as when stdout is not a terminal). */
  logs: Record<string, unknown>[];
  db: Client;
  stop(): Promise<void>;
}

export async function startFreshService(env: Record<string, string> = {}): Promise<FreshService> {
  const database: TestDatabase = await createTestDatabase();
  const logs: Record<string, unknown>[] = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => void logs.push(JSON.parse(line) as Record<string, unknown>) });
  const server = await startService(database.url, { ADMIN_EMAIL: '', ADMIN_PASSWORD: '', ...env }, logger);
  const db = new Client({ connectionString: database.url });
  await db.connect();
  return {
    baseUrl: `http://127.0.0.1:${server.port}`,
    server,
    logs,
    db,
    async stop() {
      await db.end();
      await server.stop();
      await database.drop();
    },
  };
}

/** The setup link the service printed at start-up (fails when none was printed). */
export function printedSetupLink(logs: Record<string, unknown>[]): string {
  const line = logs.find((l) => typeof l['setupUrl'] === 'string');
  if (!line) throw new Error('no setup link was printed');
  return line['setupUrl'] as string;
}
