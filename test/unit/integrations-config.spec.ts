import { expect } from 'chai';
import { loadConfig } from '../../src/platform/config';

const base = { NODE_ENV: 'test', DATABASE_URL: 'postgres://x@localhost/db', JWT_SECRET: 'x'.repeat(40) };

describe('integration settings (unit)', () => {
  it('offers nothing and still loads with no provider keys', () => {
    const config = loadConfig(base);
    expect(config.stripe).to.deep.equal({ secretKey: null, webhookSecret: null, apiUrl: null });
    expect(config.warehouseAddress).to.equal(null);
    expect(config.providerCalls.timeoutMs).to.equal(10_000);
  });

  it('names the variable of each bad value', () => {
    const bad: [Record<string, string>, string][] = [
      [{ STRIPE_SECRET_KEY: 'pk_live_oops' }, 'STRIPE_SECRET_KEY'],
      [{ STRIPE_WEBHOOK_SECRET: 'secret' }, 'STRIPE_WEBHOOK_SECRET'],
      [{ STRIPE_API_URL: 'ftp://stripe' }, 'STRIPE_API_URL'],
      [{ EASYPOST_API_URL: 'not a url' }, 'EASYPOST_API_URL'],
      [{ WAREHOUSE_ADDRESS_LINE1: 'Via X 1' }, 'WAREHOUSE_ADDRESS_COMPANY'],
      [{ PROVIDER_TIMEOUT_MS: '0' }, 'PROVIDER_TIMEOUT_MS'],
    ];
    for (const [env, variable] of bad) expect(() => loadConfig({ ...base, ...env }), variable).to.throw(variable);
  });
});
