import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { Client } from 'pg';
import { freePort } from '../../bench/service';
import { testEnv } from './hooks';
import { createTestDatabase, type TestDatabase } from './database';

const ROOT = path.resolve(__dirname, '../..');

/**
 * A service on a database of its own, with no admin: what `make start` meets on a fresh install.
 * It runs the real process entry (src/main.ts under tsx) in a child process, so it has its own
 * Sequelize and model classes and the suite's models stay bound to the suite's service.
 */
export interface FreshService {
  baseUrl: string;
  port: number;
  /** Every log line the service wrote, parsed (JSON lines, as when stdout is not a terminal). */
  logs: Record<string, unknown>[];
  db: Client;
  stop(): Promise<void>;
}

export interface FreshServiceOptions {
  /** Preload test/support/fakes/child-fakes.ts: Stripe and EasyPost answered by the suite's nock fakes. */
  fakes?: boolean;
}

export async function startFreshService(env: Record<string, string> = {}, options: FreshServiceOptions = {}): Promise<FreshService> {
  const database: TestDatabase = await createTestDatabase();
  const port = await freePort();
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'quickstock-fresh-'));
  const preload = options.fakes ? ['--import', path.join(ROOT, 'test/support/fakes/child-fakes.ts')] : [];
  const child = spawn(process.execPath, ['--import', 'tsx', ...preload, path.join(ROOT, 'src/main.ts')], {
    cwd: ROOT,
    env: {
      PATH: process.env['PATH'] ?? '',
      HOME: process.env['HOME'] ?? os.tmpdir(),
      ...testEnv,
      LOG_LEVEL: 'info',
      SHUTDOWN_GRACE_MS: '0',
      ADMIN_EMAIL: '',
      ADMIN_PASSWORD: '',
      ...env,
      PORT: String(port),
      DATA_DIR: dataDir,
      DATABASE_URL: database.url,
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const logs: Record<string, unknown>[] = [];
  createInterface({ input: child.stdout }).on('line', (line) => {
    try {
      logs.push(JSON.parse(line) as Record<string, unknown>);
    } catch {
      // not a log line
    }
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const baseUrl = `http://127.0.0.1:${port}`;
  const stopProcess = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      await exited;
    }
    rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    await waitUntilReady(baseUrl, () => child.exitCode);
    // With no admin the service writes its setup link right after it starts listening and logs
    // where: wait for that line too, so a test reads the logs of a service that has finished starting.
    if (!env['ADMIN_EMAIL']) await waitFor(() => logs.some((l) => typeof l['setupLinkFile'] === 'string'), 'where the setup link is');
  } catch (err) {
    await stopProcess();
    await database.drop();
    throw err;
  }
  const db = new Client({ connectionString: database.url });
  await db.connect();
  return {
    baseUrl,
    port,
    logs,
    db,
    async stop() {
      await db.end();
      await stopProcess();
      await database.drop();
    },
  };
}

async function waitFor(done: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`the fresh service did not log ${what} in 30 s`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function waitUntilReady(baseUrl: string, exitCode: () => number | null): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (exitCode() !== null) throw new Error(`the fresh service exited with ${exitCode()}`);
    try {
      if ((await fetch(`${baseUrl}/health/ready`)).ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error('the fresh service did not become ready in 60 s');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** The setup link the service wrote at start-up, read from the file its log names (fails when there is none). */
export function printedSetupLink(logs: Record<string, unknown>[]): string {
  const line = logs.find((l) => typeof l['setupLinkFile'] === 'string');
  if (!line) throw new Error('no setup link was written');
  return readFileSync(line['setupLinkFile'] as string, 'utf8').trim();
}
