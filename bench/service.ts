import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startServiceProcess as startProcess, type RunningService } from '../test-kit/service-process';

/** The benchmarks' settings over test-kit's child process (shared with the tests). */
export { call, freePort, type RunningService } from '../test-kit/service-process';

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

/** Starts the production build (`dist/src/main.js`) on `databaseUrl` as a child process and waits until it is ready. */
export function startBuiltService(databaseUrl: string, env: Record<string, string> = {}, nodeArgs: string[] = []): Promise<RunningService> {
  return startServiceProcess({ databaseUrl, env, nodeArgs, entry: 'dist/src/main.js' });
}

/**
 * Starts a process entry of the service (a path from the project root, run with `nodeArgs`) on
 * `databaseUrl`, with the benchmark's defaults overridable by `env`, and waits until it is ready.
 */
export function startServiceProcess(options: {
  databaseUrl: string;
  entry: string;
  env?: Record<string, string>;
  nodeArgs?: string[];
}): Promise<RunningService> {
  const { databaseUrl, env = {}, nodeArgs = [], entry } = options;
  return startProcess({
    entry,
    nodeArgs,
    env: {
      NODE_ENV: 'production',
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
  });
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
