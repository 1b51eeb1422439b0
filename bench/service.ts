import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

export const BENCH_ADMIN = { email: 'bench-admin@quickstock.test', password: 'bench-admin-password-1' };
/**
 * The bench registers all its customers from one address (the default allows 20 an hour) and each
 * customer orders and pays far faster than a person: it turns these limits off, and says so.
 */
export const BENCH_LIMITS_OFF: Record<string, string> = {
  RATE_LIMIT_REGISTER_PER_HOUR: '0',
  RATE_LIMIT_ORDERS_PER_MINUTE: '0',
  RATE_LIMIT_PAYMENTS_PER_MINUTE: '0',
  MAX_OPEN_UNPAID_ORDERS_PER_CUSTOMER: '0',
};
export const BENCH_JWT_SECRET = 'bench-secret-that-is-long-enough-for-hs256-0123456789';
/** 32 bytes (base64): production requires WEBHOOK_SECRETS_KEY with DATABASE_URL. */
export const BENCH_WEBHOOK_SECRETS_KEY = Buffer.alloc(32, 7).toString('base64');
const ROOT = path.resolve(__dirname, '..');

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

export interface RunningService {
  baseUrl: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

/** Starts the production build (`dist/src/main.js`) on `databaseUrl` as a child process and waits until it is ready. */
export function startBuiltService(databaseUrl: string, env: Record<string, string> = {}, nodeArgs: string[] = []): Promise<RunningService> {
  return startServiceProcess({ databaseUrl, env, nodeArgs, entry: 'dist/src/main.js' });
}

/**
 * Starts a process entry of the service (a path from the project root, run with `nodeArgs`) on
 * `databaseUrl`, with the benchmark's defaults overridable by `env`, and waits until it is ready.
 */
export async function startServiceProcess(options: {
  databaseUrl: string;
  entry: string;
  env?: Record<string, string>;
  nodeArgs?: string[];
}): Promise<RunningService> {
  const { databaseUrl, env = {}, nodeArgs = [] } = options;
  const port = await freePort();
  const child = spawn(process.execPath, [...nodeArgs, path.join(ROOT, options.entry)], {
    cwd: ROOT,
    env: {
      PATH: process.env['PATH'] ?? '',
      HOME: process.env['HOME'] ?? os.tmpdir(),
      NODE_ENV: 'production',
      PORT: String(port),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      SEED_DEMO: 'false',
      ...BENCH_LIMITS_OFF,
      JWT_SECRET: BENCH_JWT_SECRET,
      WEBHOOK_SECRETS_KEY: BENCH_WEBHOOK_SECRETS_KEY,
      ADMIN_EMAIL: BENCH_ADMIN.email,
      ADMIN_PASSWORD: BENCH_ADMIN.password,
      DATA_DIR: mkdtempSync(path.join(os.tmpdir(), 'quickstock-bench-')),
      DATABASE_URL: databaseUrl,
      ...env,
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const baseUrl = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`service exited with ${child.exitCode}`);
    try {
      const res = await fetch(`${baseUrl}/health/ready`);
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error('service did not become ready in 60 s');
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    baseUrl,
    process: child,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

/** A tiny JSON client for the benchmark's set-up calls. */
export async function call<T = any>(baseUrl: string, method: string, urlPath: string, token?: string, body?: unknown): Promise<{ status: number; body: T }> {
  const res = await fetch(`${baseUrl}${urlPath}`, {
    method,
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T };
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index] as number;
}

const CLOCK_TICKS_PER_SECOND = 100;

/** User + system CPU seconds of a process, from /proc (NaN where unavailable). */
export function cpuSeconds(pid: number | undefined): number {
  if (pid === undefined) return NaN;
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND;
  } catch {
    return NaN;
  }
}
