import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { isIP } from 'node:net';
import path from 'node:path';
import { int, invalid, str, type Env } from './env-readers';

/** Outgoing webhooks (issue 19): the WEBHOOK_* settings. */
export interface WebhookSettings {
  /** AES-256-GCM key of the stored signing secrets: 32 bytes, base64. */
  readonly secretsKey: string;
  /** The only addresses a receiver may have outside the public internet (IPs or CIDRs). */
  readonly allowedCidrs: readonly string[];
  /** Only https: receivers (production). */
  readonly httpsOnly: boolean;
  /** Delay before each retry, in order; its length is the number of retries. */
  readonly retryScheduleMs: readonly number[];
  readonly timeoutMs: number;
  /** A subscription failing with no success this long is disabled. */
  readonly disableAfterMs: number;
  readonly logRetentionDays: number;
  /** How often fan-out and delivery look for work besides being woken by commits. */
  readonly pollMs: number;
  /** Deliveries of one subscription in flight at once (per instance), so a slow receiver cannot starve others. */
  readonly concurrencyPerSubscription: number;
}

const DEFAULT_SCHEDULE_MS = [5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 36_000_000];

/**
 * WEBHOOK_SECRETS_KEY: 32 bytes as base64 or 64 hex digits. Required in production on a real
 * PostgreSQL (DATABASE_URL), where the database and the key must live apart; otherwise generated
 * once under DATA_DIR, like the JWT secret, so restarts can still read the stored secrets.
 */
function secretsKey(env: Env, required: boolean, dataDir: string): string {
  const raw = str(env, 'WEBHOOK_SECRETS_KEY');
  if (raw === undefined) {
    if (required)
      return invalid(env, 'WEBHOOK_SECRETS_KEY', 'is required in production with DATABASE_URL (32 random bytes, base64 or hex: openssl rand -base64 32)', '');
    return generatedKey(dataDir);
  }
  const key = /^[0-9a-fA-F]{64}$/.test(raw) ? Buffer.from(raw, 'hex') : Buffer.from(raw, 'base64');
  if (key.length !== 32 || (!/^[0-9a-fA-F]{64}$/.test(raw) && !/^[A-Za-z0-9+/]{43}=?$/.test(raw))) {
    return invalid(env, 'WEBHOOK_SECRETS_KEY', 'must be 32 bytes as base64 (44 characters) or 64 hex digits', '');
  }
  return key.toString('base64');
}

function generatedKey(dataDir: string): string {
  const file = path.join(dataDir, 'webhook-secrets-key');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(dataDir, { recursive: true });
  const key = randomBytes(32);
  writeFileSync(file, key.toString('base64'), { mode: 0o600 });
  return key.toString('base64');
}

function cidrs(env: Env, name: string): string[] {
  const entries = (str(env, name) ?? '')
    .split(',')
    .map((e) => e.trim())
    .filter(Boolean);
  for (const entry of entries) {
    const [address = '', prefix, extra] = entry.split('/');
    const version = isIP(address);
    const prefixOk = prefix === undefined || (/^\d{1,3}$/.test(prefix) && Number(prefix) <= (version === 6 ? 128 : 32));
    if (version === 0 || !prefixOk || extra !== undefined) return invalid(env, name, `contains "${entry}", which is not an IP address or a CIDR`, []);
  }
  return entries;
}

/** A comma-separated list of delays in milliseconds (a retry schedule); `fallback` when unset. */
export function delaySchedule(env: Env, name: string, fallback: readonly number[]): number[] {
  const raw = str(env, name);
  if (raw === undefined) return [...fallback];
  const steps = raw.split(',').map((s) => s.trim());
  if (steps.length > 50 || !steps.every((s) => /^\d{1,9}$/.test(s) && Number(s) >= 1)) {
    return invalid(env, name, 'must be 1 to 50 comma-separated delays in milliseconds (each 1 to 999999999), e.g. 5000,300000,1800000', [...fallback]);
  }
  return steps.map(Number);
}

function hours(env: Env, name: string, fallback: number): number {
  const raw = str(env, name);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!/^\d+(\.\d+)?$/.test(raw) || value <= 0 || value > 24 * 365)
    return invalid(env, name, `must be a number of hours above 0 and at most 8760 (decimals allowed), got "${raw}"`, fallback);
  return value;
}

export function webhookSettings(env: Env, options: { production: boolean; realDatabase: boolean; dataDir: string }): WebhookSettings {
  return {
    secretsKey: secretsKey(env, options.production && options.realDatabase, options.dataDir),
    allowedCidrs: cidrs(env, 'WEBHOOK_ALLOWED_CIDRS'),
    httpsOnly: options.production,
    retryScheduleMs: delaySchedule(env, 'WEBHOOK_RETRY_SCHEDULE_MS', DEFAULT_SCHEDULE_MS),
    timeoutMs: int(env, 'WEBHOOK_TIMEOUT_MS', 15_000, 100, 60_000),
    disableAfterMs: Math.round(hours(env, 'WEBHOOK_DISABLE_AFTER_HOURS', 120) * 3_600_000),
    logRetentionDays: int(env, 'WEBHOOK_LOG_RETENTION_DAYS', 30, 1, 3650),
    pollMs: int(env, 'WEBHOOK_POLL_MS', 1000, 10, 60_000),
    concurrencyPerSubscription: int(env, 'WEBHOOK_CONCURRENCY_PER_SUBSCRIPTION', 4, 1, 100),
  };
}
