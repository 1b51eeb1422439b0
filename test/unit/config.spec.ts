import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigError, loadConfig } from '../../src/platform/config';

const base = { NODE_ENV: 'test', DATABASE_URL: 'postgres://localhost/x', JWT_SECRET: 'x'.repeat(40) };

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems.map((p) => p.variable);
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('configuration check', () => {
  it('reports every bad setting at once, each named with what it expects', () => {
    const env = {
      ...base,
      PORT: 'eighty',
      JWT_SECRET: 'short',
      LOG_LEVEL: 'loud',
      REDIS_URL: 'http://redis',
      NODE_ENV: 'staging',
      ADMIN_EMAIL: 'not-an-email',
      ADMIN_PASSWORD: 'a long enough password',
      LOG_FORMAT: 'xml',
    };
    let error: unknown;
    try {
      loadConfig(env);
    } catch (err) {
      error = err;
    }
    expect(error).to.be.instanceOf(ConfigError);
    const message = (error as ConfigError).message;
    expect(problemsOf(env)).to.have.members(['PORT', 'JWT_SECRET', 'LOG_LEVEL', 'REDIS_URL', 'NODE_ENV', 'ADMIN_EMAIL', 'LOG_FORMAT']);
    expect(message).to.match(/Invalid configuration \(7 settings\)/);
    expect(message).to.include('PORT must be an integer from 0 to 65535, got "eighty"');
    expect(message).to.include('JWT_SECRET must be at least 32 characters');
    expect(message).to.include('LOG_FORMAT must be one of auto, pretty, json');
  });

  it('names JWT_SECRET (and WEBHOOK_SECRETS_KEY in production) when DATABASE_URL is set without them, besides the other mistakes', () => {
    expect(problemsOf({ NODE_ENV: 'production', DATABASE_URL: 'postgres://db/x', DB_POOL_MAX: '0' })).to.have.members([
      'JWT_SECRET',
      'WEBHOOK_SECRETS_KEY',
      'DB_POOL_MAX',
    ]);
  });

  it('accepts a good configuration and strips the trailing slash of PUBLIC_URL', () => {
    const config = loadConfig({ ...base, PUBLIC_URL: 'https://stock.example.it/', LOG_FORMAT: 'JSON' });
    expect(config.publicUrl).to.equal('https://stock.example.it');
    expect(config.logFormat).to.equal('json');
  });

  it('keeps the customer limits and per-user rate limits on by default, 0 turning each off', () => {
    const defaults = loadConfig(base);
    expect(defaults.customerLimits).to.deep.equal({ maxOpenUnpaidOrders: 3, maxUnitsPerLine: 500, maxOrderGrossCents: 1_000_000 });
    expect(defaults.rateLimits.ordersPerMinute).to.equal(30);
    expect(defaults.rateLimits.paymentsPerMinute).to.equal(10);
    const off = loadConfig({
      ...base,
      MAX_OPEN_UNPAID_ORDERS_PER_CUSTOMER: '0',
      MAX_UNITS_PER_LINE_CUSTOMER: '0',
      MAX_ORDER_GROSS_CENTS_CUSTOMER: '0',
      RATE_LIMIT_ORDERS_PER_MINUTE: '0',
      RATE_LIMIT_PAYMENTS_PER_MINUTE: '0',
    });
    expect(off.customerLimits).to.deep.equal({ maxOpenUnpaidOrders: 0, maxUnitsPerLine: 0, maxOrderGrossCents: 0 });
    expect(off.rateLimits).to.include({ ordersPerMinute: 0, paymentsPerMinute: 0 });
    expect(problemsOf({ ...base, MAX_UNITS_PER_LINE_CUSTOMER: '-1', RATE_LIMIT_PAYMENTS_PER_MINUTE: 'ten' })).to.have.members([
      'MAX_UNITS_PER_LINE_CUSTOMER',
      'RATE_LIMIT_PAYMENTS_PER_MINUTE',
    ]);
  });

  describe('NODE_ENV unset', () => {
    let dataDir: string;
    beforeEach(() => {
      dataDir = mkdtempSync(path.join(os.tmpdir(), 'quickstock-config-'));
    });
    afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

    it('is production: every security-relevant default on the safe side', () => {
      const config = loadConfig({ DATA_DIR: dataDir });
      expect(config.nodeEnv).to.equal('production');
      // https-only receivers; /metrics closed without a token (app.ts opens it only outside production).
      expect(config.webhooks.httpsOnly).to.equal(true);
      expect(config.metrics.token).to.equal(null);
      expect(config.validateResponses).to.equal(false);
      // Development and test are asked for by name.
      expect(loadConfig({ DATA_DIR: dataDir, NODE_ENV: 'development' }).webhooks.httpsOnly).to.equal(false);
    });

    it('still starts with no configuration on the embedded PostgreSQL, generating its secrets under DATA_DIR', () => {
      const config = loadConfig({ DATA_DIR: dataDir });
      expect(config.databaseUrl).to.equal(null);
      expect(config.jwt.secret).to.have.length.above(31);
      expect(Buffer.from(config.webhooks.secretsKey, 'base64')).to.have.length(32);
      // Kept across restarts.
      expect(loadConfig({ DATA_DIR: dataDir }).webhooks.secretsKey).to.equal(config.webhooks.secretsKey);
    });

    it('requires the production secrets with DATABASE_URL', () => {
      expect(problemsOf({ DATA_DIR: dataDir, DATABASE_URL: 'postgres://db/x' })).to.have.members(['JWT_SECRET', 'WEBHOOK_SECRETS_KEY']);
    });
  });

  it('never echoes the password of a malformed DATABASE_URL or REDIS_URL', () => {
    let error: unknown;
    try {
      loadConfig({ ...base, DATABASE_URL: 'postgres://app:s3cr3t-db-pw@db host/quickstock', REDIS_URL: 'redis://:s3cr3t-redis-pw@redis:port/0' });
    } catch (err) {
      error = err;
    }
    expect(error).to.be.instanceOf(ConfigError);
    const message = (error as ConfigError).message;
    expect((error as ConfigError).problems.map((p) => p.variable)).to.have.members(['DATABASE_URL', 'REDIS_URL']);
    expect(message).not.to.contain('s3cr3t');
    expect(message).to.include('got "postgres://***@db host/quickstock"');
    expect(message).to.include('got "redis://***@redis:port/0"');
  });
});
