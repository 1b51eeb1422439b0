import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import {
  ConfigError,
  bool,
  int,
  invalid,
  keyPrefix,
  metricsToken,
  oneOf,
  prefixedSecret,
  problemSinks,
  str,
  trustProxy,
  url,
  type ConfigProblem,
  type Env,
  type TrustProxy,
} from './env-readers';
import { mailSettings, type MailSettings } from './mail-settings';
import { webhookSettings, type WebhookSettings } from './webhook-settings';

export type { WebhookSettings } from './webhook-settings';
export type { MailSettings } from './mail-settings';
export { ConfigError, type ConfigProblem, type TrustProxy } from './env-readers';

/*
 * The one place that reads the environment. Every key is parsed and checked once at start-up; the
 * bad ones are all collected and thrown together in one ConfigError that names each variable and
 * what it expects, so the process stops before it serves and the operator fixes everything at once.
 */

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface Config {
  readonly nodeEnv: 'production' | 'development' | 'test';
  readonly port: number;
  readonly host: string;
  /** null means: run on the embedded PostgreSQL under dataDir. */
  readonly databaseUrl: string | null;
  readonly dataDir: string;
  readonly dbPoolMax: number;
  readonly redisUrl: string | null;
  /** Namespace of every Redis key and channel (several deployments may share one Redis). */
  readonly redisKeyPrefix: string;
  readonly logLevel: LogLevel;
  /** `pretty` (human-readable) or `json` lines; `auto` = pretty on a terminal, JSON elsewhere. */
  readonly logFormat: 'auto' | 'pretty' | 'json';
  /** How people reach this service (links printed at start-up); null = http://localhost:PORT. */
  readonly publicUrl: string | null;
  readonly corsOrigins: readonly string[];
  /** Express `trust proxy`: false, a hop count, or the addresses/CIDRs of the proxies in front. */
  readonly trustProxy: TrustProxy;
  readonly bodyLimitBytes: number;
  /** CSV product imports (issue 30): the largest file and the most data rows accepted (413 beyond). */
  readonly imports: { readonly maxBytes: number; readonly maxRows: number };
  /** /metrics: bearer token on the public port, and a port of its own on 127.0.0.1 (null = none). */
  readonly metrics: { readonly token: string | null; readonly port: number | null };
  readonly validateResponses: boolean;
  readonly jwt: {
    readonly secret: string;
    readonly issuer: string;
    readonly audience: string;
    readonly accessTtlSeconds: number;
    /** How long a checked session may be trusted without asking the database again. */
    readonly sessionCacheMs: number;
  };
  readonly refreshToken: { readonly absoluteTtlDays: number; readonly idleTtlDays: number };
  readonly login: {
    /** Failures per (account, client address) before 429; per account (all addresses) before the slow-down. */
    readonly maxFailures: number;
    readonly windowMinutes: number;
    readonly maxFailuresPerIp: number;
    /** Wait before each attempt on an account past maxFailures failures (0 = none). */
    readonly slowDownMs: number;
    /** Attempts on an account past maxFailures failures evaluated at once (more answer 429). */
    readonly maxConcurrentPerAccount: number;
  };
  /** Requests allowed per window; 0 turns a limit off. */
  readonly rateLimits: {
    readonly registerPerHour: number;
    readonly refreshPerMinute: number;
    readonly ordersPerMinute: number;
    readonly paymentsPerMinute: number;
  };
  /** What one customer may hold (staff ordering on a customer's behalf are exempt); 0 turns a limit off. */
  readonly customerLimits: CustomerLimits;
  readonly admin: { readonly email: string; readonly password: string } | null;
  readonly seedDemo: boolean;
  readonly reservationTtlMinutes: number;
  /** Days after delivery within which a customer may ask for a return (staff: no window). */
  readonly returnWindowDays: number;
  readonly sweeperIntervalMs: number;
  readonly housekeepingIntervalMs: number;
  /** On SIGTERM/SIGINT: how long to keep serving (readiness 503, Connection: close) before closing. */
  readonly shutdownGraceMs: number;
  /** node:cluster workers sharing the port (1 = a single process, no cluster). */
  readonly clusterWorkers: number;
  readonly realtime: {
    /** Engine.IO long-polling besides WebSocket (several instances then need sticky sessions). */
    readonly polling: boolean;
    readonly maxMessageBytes: number;
    readonly maxSocketsPerUser: number;
    readonly retentionHours: number;
    readonly replayMaxEvents: number;
    readonly dispatchPollMs: number;
    readonly gapTimeoutMs: number;
    readonly dispatchBatchWindowMs: number;
  };
  /** Each provider is offered only when its key is set; null fields name what is missing. */
  readonly stripe: { readonly secretKey: string | null; readonly webhookSecret: string | null; readonly apiUrl: string | null };
  readonly easypost: { readonly apiKey: string | null; readonly webhookSecret: string | null; readonly apiUrl: string | null };
  /** Where EasyPost shipments leave from; null when no WAREHOUSE_ADDRESS_* is set. */
  readonly warehouseAddress: WarehouseAddress | null;
  readonly providerCalls: ProviderCallPolicy;
  readonly webhooks: WebhookSettings;
  readonly mail: MailSettings;
}

export interface WarehouseAddress {
  readonly company: string;
  readonly line1: string;
  readonly line2: string | null;
  readonly city: string;
  readonly postalCode: string;
  readonly province: string | null;
  readonly country: string;
  readonly phone: string | null;
  readonly email: string | null;
}

export interface CustomerLimits {
  readonly maxOpenUnpaidOrders: number;
  readonly maxUnitsPerLine: number;
  readonly maxOrderGrossCents: number;
}

/** Timeouts, retries and circuit breaking of every outbound provider call. */
export interface ProviderCallPolicy {
  readonly timeoutMs: number;
  readonly retryMaxAttempts: number;
  readonly retryBaseDelayMs: number;
  readonly retryMaxDelayMs: number;
  readonly breakerThreshold: number;
  readonly breakerHalfOpenAfterMs: number;
  readonly maxResponseBytes: number;
}

const WAREHOUSE_FIELDS = {
  company: 'WAREHOUSE_ADDRESS_COMPANY',
  line1: 'WAREHOUSE_ADDRESS_LINE1',
  line2: 'WAREHOUSE_ADDRESS_LINE2',
  city: 'WAREHOUSE_ADDRESS_CITY',
  postalCode: 'WAREHOUSE_ADDRESS_POSTAL_CODE',
  province: 'WAREHOUSE_ADDRESS_PROVINCE',
  country: 'WAREHOUSE_ADDRESS_COUNTRY',
  phone: 'WAREHOUSE_ADDRESS_PHONE',
  email: 'WAREHOUSE_ADDRESS_EMAIL',
} as const;

/** All or nothing: a half-written warehouse address is a mistake worth stopping for. */
function warehouseAddress(env: Env): WarehouseAddress | null {
  const values = Object.fromEntries(Object.entries(WAREHOUSE_FIELDS).map(([field, name]) => [field, str(env, name) ?? null])) as Record<
    keyof typeof WAREHOUSE_FIELDS,
    string | null
  >;
  if (Object.values(values).every((v) => v === null)) return null;
  for (const field of ['company', 'line1', 'city', 'postalCode', 'country'] as const) {
    if (values[field] === null) invalid(env, WAREHOUSE_FIELDS[field], 'is required when any WAREHOUSE_ADDRESS_* is set', null);
  }
  if (values.country !== null && !/^[A-Z]{2}$/.test(values.country)) {
    invalid(env, WAREHOUSE_FIELDS.country, 'must be an ISO 3166-1 alpha-2 code like IT', null);
  }
  return values as unknown as WarehouseAddress;
}

/** In embedded mode the JWT secret is generated once and kept beside the data, so restarts keep sessions. */
function embeddedJwtSecret(dataDir: string): string {
  const file = path.join(dataDir, 'jwt-secret');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(dataDir, { recursive: true });
  const secret = randomBytes(48).toString('base64url');
  writeFileSync(file, secret, { mode: 0o600 });
  return secret;
}

/** The environment with some variables set over it (the CLI's `create-admin EMAIL` names the admin's email). */
export function environmentWith(overrides: Record<string, string>): Env {
  return { ...process.env, ...overrides };
}

/** Reads and checks every setting; throws one ConfigError listing all the bad ones. */
export function loadConfig(env: Env = process.env): Config {
  const sink: ConfigProblem[] = [];
  problemSinks.set(env, sink);
  try {
    const config = readConfig(env);
    if (sink.length > 0) throw new ConfigError(sink);
    return config;
  } finally {
    problemSinks.delete(env);
  }
}

function readConfig(env: Env): Config {
  // Unset means production: every security-relevant default (metrics closed without a token,
  // https-only webhook receivers and tracking links, WEBHOOK_SECRETS_KEY required with DATABASE_URL)
  // is on unless development or test is asked for by name. The no-configuration start on the
  // embedded PostgreSQL still works: its JWT secret and webhook key are generated under DATA_DIR.
  const nodeEnvRaw = str(env, 'NODE_ENV') ?? 'production';
  const nodeEnv = ['production', 'development', 'test'].includes(nodeEnvRaw)
    ? (nodeEnvRaw as Config['nodeEnv'])
    : invalid(env, 'NODE_ENV', `must be production, development or test, got "${nodeEnvRaw}"`, 'production' as const);
  const databaseUrl = url(env, 'DATABASE_URL', ['postgres:', 'postgresql:']);
  const dataDir = path.resolve(str(env, 'DATA_DIR') ?? './data');

  const logLevelRaw = (str(env, 'LOG_LEVEL') ?? 'info').toLowerCase();
  const logLevel = (LOG_LEVELS as readonly string[]).includes(logLevelRaw)
    ? logLevelRaw
    : invalid(env, 'LOG_LEVEL', `must be one of ${LOG_LEVELS.join(', ')}, got "${logLevelRaw}"`, 'info');

  const corsOrigins = (str(env, 'CORS_ORIGINS') ?? '')
    .split(',')
    .map((o) => o.trim())
    .filter(Boolean);
  for (const origin of corsOrigins) {
    try {
      const parsed = new URL(origin);
      if (parsed.origin !== origin) throw new Error('not an origin');
    } catch {
      invalid(env, 'CORS_ORIGINS', `contains "${origin}", which is not an origin like https://shop.example.com`, null);
    }
  }

  let secret = str(env, 'JWT_SECRET');
  if (secret === undefined) {
    secret =
      databaseUrl !== null || str(env, 'DATABASE_URL') !== undefined
        ? invalid(env, 'JWT_SECRET', 'is required when DATABASE_URL is set (at least 32 random characters)', '')
        : embeddedJwtSecret(dataDir);
  } else if (secret.length < 32) {
    invalid(env, 'JWT_SECRET', `must be at least 32 characters, got ${secret.length}`, null);
  }

  const adminEmail = str(env, 'ADMIN_EMAIL');
  const adminPassword = env['ADMIN_PASSWORD'];
  if ((adminEmail === undefined) !== (adminPassword === undefined || adminPassword === '')) {
    invalid(env, adminEmail === undefined ? 'ADMIN_EMAIL' : 'ADMIN_PASSWORD', 'must be set together with its pair (ADMIN_EMAIL and ADMIN_PASSWORD)', null);
  }
  if (adminEmail !== undefined && !/^[^\s@]+@[^\s@]+$/.test(adminEmail)) {
    invalid(env, 'ADMIN_EMAIL', `must be an email address, got "${adminEmail}"`, null);
  }
  if (adminPassword !== undefined && adminPassword !== '' && [...adminPassword].length < 12) {
    invalid(env, 'ADMIN_PASSWORD', 'must be at least 12 characters', null);
  }

  const redisUrl = url(env, 'REDIS_URL', ['redis:', 'rediss:']);
  const clusterWorkers = int(env, 'CLUSTER_WORKERS', 1, 1, 64);
  if (clusterWorkers > 1 && redisUrl === null) {
    invalid(env, 'CLUSTER_WORKERS', 'above 1 needs REDIS_URL: Socket.IO broadcasts cross workers through Redis', null);
  }
  // Long-polling requests of one session must reach the worker that opened it: node:cluster
  // balances connections without affinity, so several workers serve WebSocket only.
  const polling = bool(env, 'SOCKET_POLLING', clusterWorkers === 1);
  if (polling && clusterWorkers > 1) {
    invalid(env, 'SOCKET_POLLING', 'cannot be true with CLUSTER_WORKERS above 1 (polling needs sticky sessions; clients use WebSocket)', null);
  }

  const publicUrl = url(env, 'PUBLIC_URL', ['https:', 'http:'])?.replace(/\/+$/, '') ?? null;

  const config: Config = {
    nodeEnv,
    port: int(env, 'PORT', 3000, 0, 65535),
    host: str(env, 'HOST') ?? '0.0.0.0',
    databaseUrl,
    dataDir,
    dbPoolMax: int(env, 'DB_POOL_MAX', 10, 1, 500),
    redisUrl,
    redisKeyPrefix: keyPrefix(env, 'REDIS_KEY_PREFIX', 'qs'),
    logLevel: logLevel as LogLevel,
    logFormat: oneOf(env, 'LOG_FORMAT', ['auto', 'pretty', 'json'] as const, 'auto'),
    publicUrl,
    corsOrigins,
    trustProxy: trustProxy(env, 'TRUST_PROXY'),
    metrics: { token: metricsToken(env, 'METRICS_TOKEN'), port: str(env, 'METRICS_PORT') === undefined ? null : int(env, 'METRICS_PORT', 0, 0, 65535) },
    bodyLimitBytes: int(env, 'BODY_LIMIT_BYTES', 100 * 1024, 1024, 10 * 1024 * 1024),
    imports: {
      maxBytes: int(env, 'IMPORT_MAX_BYTES', 20 * 1024 * 1024, 1024, 1024 * 1024 * 1024),
      // The contract's ImportReport counts at most 1,000,000 rows.
      maxRows: int(env, 'IMPORT_MAX_ROWS', 100_000, 1, 1_000_000),
    },
    validateResponses: bool(env, 'VALIDATE_RESPONSES', nodeEnv !== 'production'),
    jwt: {
      secret,
      issuer: str(env, 'JWT_ISSUER') ?? 'quickstock',
      audience: str(env, 'JWT_AUDIENCE') ?? 'quickstock-api',
      accessTtlSeconds: int(env, 'ACCESS_TOKEN_TTL_SECONDS', 900, 10, 86_400),
      sessionCacheMs: int(env, 'AUTH_CACHE_TTL_MS', 5000, 0, 60_000),
    },
    refreshToken: {
      absoluteTtlDays: int(env, 'REFRESH_TOKEN_TTL_DAYS', 30, 1, 365),
      idleTtlDays: int(env, 'REFRESH_TOKEN_IDLE_DAYS', 7, 1, 365),
    },
    login: {
      maxFailures: int(env, 'LOGIN_MAX_FAILURES', 10, 1, 1000),
      windowMinutes: int(env, 'LOGIN_WINDOW_MINUTES', 15, 1, 1440),
      maxFailuresPerIp: int(env, 'LOGIN_MAX_FAILURES_PER_IP', 100, 1, 100_000),
      slowDownMs: int(env, 'LOGIN_SLOWDOWN_MS', 1000, 0, 30_000),
      maxConcurrentPerAccount: int(env, 'LOGIN_CONCURRENT_PER_ACCOUNT', 1, 1, 100),
    },
    rateLimits: {
      registerPerHour: int(env, 'RATE_LIMIT_REGISTER_PER_HOUR', 20, 0, 1_000_000),
      refreshPerMinute: int(env, 'RATE_LIMIT_REFRESH_PER_MINUTE', 30, 0, 1_000_000),
      ordersPerMinute: int(env, 'RATE_LIMIT_ORDERS_PER_MINUTE', 30, 0, 1_000_000),
      paymentsPerMinute: int(env, 'RATE_LIMIT_PAYMENTS_PER_MINUTE', 10, 0, 1_000_000),
    },
    customerLimits: {
      maxOpenUnpaidOrders: int(env, 'MAX_OPEN_UNPAID_ORDERS_PER_CUSTOMER', 3, 0, 1_000_000),
      maxUnitsPerLine: int(env, 'MAX_UNITS_PER_LINE_CUSTOMER', 500, 0, 1_000_000),
      maxOrderGrossCents: int(env, 'MAX_ORDER_GROSS_CENTS_CUSTOMER', 1_000_000, 0, 2_000_000_000_000),
    },
    admin: adminEmail !== undefined && adminPassword !== undefined ? { email: adminEmail, password: adminPassword } : null,
    seedDemo: bool(env, 'SEED_DEMO', true),
    reservationTtlMinutes: int(env, 'RESERVATION_TTL_MINUTES', 30, 1, 10_080),
    returnWindowDays: int(env, 'RETURN_WINDOW_DAYS', 30, 1, 3650),
    sweeperIntervalMs: int(env, 'SWEEPER_INTERVAL_MS', 15_000, 100, 3_600_000),
    housekeepingIntervalMs: int(env, 'HOUSEKEEPING_INTERVAL_MS', 60_000, 1_000, 86_400_000),
    shutdownGraceMs: int(env, 'SHUTDOWN_GRACE_MS', 2_000, 0, 120_000),
    clusterWorkers,
    realtime: {
      polling,
      maxMessageBytes: int(env, 'SOCKET_MAX_MESSAGE_BYTES', 16 * 1024, 1024, 1024 * 1024),
      maxSocketsPerUser: int(env, 'SOCKET_MAX_PER_USER', 20, 1, 10_000),
      retentionHours: int(env, 'EVENT_RETENTION_HOURS', 24, 24, 24 * 90),
      replayMaxEvents: int(env, 'EVENT_REPLAY_MAX', 1000, 1, 100_000),
      dispatchPollMs: int(env, 'EVENT_DISPATCH_POLL_MS', 1000, 50, 60_000),
      gapTimeoutMs: int(env, 'EVENT_GAP_TIMEOUT_MS', 2000, 10, 60_000),
      dispatchBatchWindowMs: int(env, 'EVENT_DISPATCH_BATCH_MS', 10, 0, 1000),
    },
    stripe: {
      secretKey: prefixedSecret(env, 'STRIPE_SECRET_KEY', ['sk_', 'rk_']),
      webhookSecret: prefixedSecret(env, 'STRIPE_WEBHOOK_SECRET', ['whsec_']),
      apiUrl: url(env, 'STRIPE_API_URL', ['https:', 'http:']),
    },
    easypost: {
      apiKey: str(env, 'EASYPOST_API_KEY') ?? null,
      webhookSecret: str(env, 'EASYPOST_WEBHOOK_SECRET') ?? null,
      apiUrl: url(env, 'EASYPOST_API_URL', ['https:', 'http:']),
    },
    warehouseAddress: warehouseAddress(env),
    providerCalls: {
      timeoutMs: int(env, 'PROVIDER_TIMEOUT_MS', 10_000, 50, 120_000),
      retryMaxAttempts: int(env, 'PROVIDER_RETRY_MAX_ATTEMPTS', 3, 0, 10),
      retryBaseDelayMs: int(env, 'PROVIDER_RETRY_BASE_DELAY_MS', 200, 1, 60_000),
      retryMaxDelayMs: int(env, 'PROVIDER_RETRY_MAX_DELAY_MS', 2_000, 1, 300_000),
      breakerThreshold: int(env, 'PROVIDER_BREAKER_THRESHOLD', 5, 1, 1000),
      breakerHalfOpenAfterMs: int(env, 'PROVIDER_BREAKER_HALF_OPEN_AFTER_MS', 30_000, 10, 3_600_000),
      maxResponseBytes: int(env, 'PROVIDER_MAX_RESPONSE_BYTES', 1024 * 1024, 1024, 100 * 1024 * 1024),
    },
    webhooks: webhookSettings(env, { production: nodeEnvRaw === 'production', realDatabase: str(env, 'DATABASE_URL') !== undefined, dataDir }),
    mail: mailSettings(env, { publicUrl }),
  };
  return deepFreeze(config);
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}
