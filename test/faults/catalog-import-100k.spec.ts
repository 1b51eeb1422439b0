import { expect } from 'chai';
import { benchCsv } from '../../bench/import';
import { ADMIN } from '../support/hooks';
import { startServiceProcess, type FreshService } from '../support/services';

/**
 * Issue 30's size target: 100,000 rows (the default IMPORT_MAX_ROWS, about 12 MB: within
 * IMPORT_MAX_BYTES) dry-run and applied, each within 60 s. Here (test/faults: it times things on a
 * loaded machine) and on a service and database of its own: the 100,000 stock changes it announces
 * would keep the suite's stock publisher busy for minutes. `make bench-import` measures the
 * service's memory; this spec checks the outcome.
 */
describe('CSV product import: 100,000 rows', function () {
  this.timeout(240_000);
  let service: FreshService | undefined;
  after(async () => {
    await service?.stop();
  });

  it('dry-runs and applies a 100,000-row file within 60 s each, with one adjustment movement per product', async () => {
    service = await startServiceProcess();
    const login = await fetch(`${service.baseUrl}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(ADMIN),
    });
    const { accessToken } = (await login.json()) as { accessToken: string };
    const post = async (csv: string, dryRun: boolean) => {
      const started = Date.now();
      const res = await fetch(`${(service as FreshService).baseUrl}/api/v1/product-imports${dryRun ? '?dryRun=true' : ''}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${accessToken}`, 'content-type': 'text/csv' },
        body: csv,
      });
      return { status: res.status, text: await res.text(), ms: Date.now() - started };
    };
    const csv = benchCsv(100_000, 0);
    const dry = await post(csv, true);
    expect(dry.ms).to.be.below(60_000);
    expect(JSON.parse(dry.text)).to.deep.equal({ rows: 100_000, created: 100_000, updated: 0, unchanged: 0, errors: [] });
    const applied = await post(csv, false);
    expect(applied.status, applied.text.slice(0, 500)).to.equal(201);
    expect(applied.ms).to.be.below(60_000);
    expect(JSON.parse(applied.text)).to.deep.equal({ rows: 100_000, created: 100_000, updated: 0, unchanged: 0, errors: [] });
    const { rows } = await service.db.query<{ products: number; stock: number; moved: number }>(
      `SELECT count(*)::int AS products, sum(on_hand)::int AS stock,
              (SELECT sum(delta)::int FROM stock_movements WHERE reason = 'import' AND type = 'adjustment') AS moved
         FROM products WHERE sku LIKE 'BENCH-%'`,
    );
    expect(rows[0]).to.deep.include({ products: 100_000 });
    expect(rows[0]?.moved).to.equal(rows[0]?.stock);
  });
});
