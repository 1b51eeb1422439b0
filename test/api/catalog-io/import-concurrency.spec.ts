import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { asAdmin, createProduct, operator } from '../../support/api';
import { query, waitFor } from '../../support/database';
import { h } from '../../support/hooks';
import { withSecondService } from '../../support/services';
import { freshPrefix, importCsv } from './csv-helpers';

describe('CSV product import: concurrency, idempotency, events, dialects', () => {
  it('serialises two imports of overlapping SKUs: both apply, one after the other, and the ledger adds up', async () => {
    const [a, b] = [await operator(), await operator()];
    const p = freshPrefix();
    const rows = (n: number, stock: number) => Array.from({ length: n }, (_, i) => `${p}-${i},Prodotto ${i},${100 + i},${stock}`).join('\r\n');
    const first = `sku,name,priceCents,onHand\r\n${rows(300, 10)}\r\n`;
    const second = `sku,name,priceCents,onHand\r\n${rows(400, 25)}\r\n`;
    const [ra, rb] = await Promise.all([importCsv(a.token, first), importCsv(b.token, second)]);
    expect([ra.status, rb.status], `${ra.text} ${rb.text}`).to.deep.equal([201, 201]);
    // Whichever ran second saw the first's products: 300 + 400 rows created 400 products, never a duplicate.
    expect(ra.json.created + rb.json.created).to.equal(400);
    const products = await query<{ n: number }>('SELECT count(*)::int AS n FROM products WHERE sku LIKE $1', [`${p}-%`]);
    expect(products[0]?.n).to.equal(400);
    // Every product's onHand is the sum of its movements and one of the two files' figures.
    const mismatched = await query(
      `SELECT p.sku FROM products p LEFT JOIN stock_movements m ON m.product_id = p.id WHERE p.sku LIKE $1
        GROUP BY p.id, p.sku, p.on_hand HAVING p.on_hand <> coalesce(sum(m.delta), 0) OR p.on_hand NOT IN (10, 25)`,
      [`${p}-%`],
    );
    expect(mismatched).to.deep.equal([]);
    // The 300 SKUs of both files hold the figure of the import that committed last; the other 100 the second file's.
    const levels = await query<{ shared: boolean; on_hand: number }>(
      `SELECT DISTINCT (split_part(sku, '-', 3)::int < 300) AS shared, on_hand FROM products WHERE sku LIKE $1 ORDER BY 1`,
      [`${p}-%`],
    );
    expect(levels).to.have.length(2);
    expect(levels[0]).to.deep.equal({ shared: false, on_hand: 25 });
  });

  it('locks only the products the file changes: a product it leaves as it is stays free while the import waits', async () => {
    const token = await asAdmin();
    const p = freshPrefix();
    // The unchanged product sorts first by id: an import locking every product of its file in id order holds it.
    const [first, second] = [
      await createProduct({ sku: `${p}-1`, unitPriceCents: 100, initialStock: 5 }),
      await createProduct({ sku: `${p}-2`, unitPriceCents: 100, initialStock: 5 }),
    ];
    const [unchanged, changed] = [first, second].sort((a, b) => (a.id < b.id ? -1 : 1)) as [typeof first, typeof first];
    const holder = new Client({ connectionString: h().database.url });
    holder.on('error', () => undefined);
    await holder.connect();
    try {
      const holderPid = (await holder.query('SELECT pg_backend_pid() AS pid')).rows[0].pid as number;
      await holder.query('BEGIN');
      await holder.query('SELECT 1 FROM products WHERE id = $1 FOR UPDATE', [changed.id]);
      const importing = importCsv(token, `sku,onHand\r\n${unchanged.sku},5\r\n${changed.sku},9\r\n`);
      await waitFor(
        async () => (await query('SELECT 1 FROM pg_stat_activity WHERE $1 = ANY(pg_blocking_pids(pid))', [holderPid])).length > 0,
        10_000,
        'the import to wait',
      );
      // While the import waits for the product it changes, the other one can be locked (as a checkout does).
      expect(await query('SELECT on_hand FROM products WHERE id = $1 FOR UPDATE NOWAIT', [unchanged.id])).to.deep.equal([{ on_hand: 5 }]);
      await holder.query('ROLLBACK');
      const res = await importing;
      expect(res.status, res.text).to.equal(201);
      expect(res.json).to.deep.equal({ rows: 2, created: 0, updated: 1, unchanged: 1, errors: [] });
      expect(await query('SELECT sku, on_hand FROM products WHERE sku LIKE $1 ORDER BY sku', [`${p}-%`])).to.deep.equal([
        { sku: `${p}-1`, on_hand: changed.sku === `${p}-1` ? 9 : 5 },
        { sku: `${p}-2`, on_hand: changed.sku === `${p}-2` ? 9 : 5 },
      ]);
    } finally {
      await holder.end().catch(() => undefined);
    }
  });

  it('never needs a second connection: two imports and an export at once on a pool of one connection all answer', async () => {
    await withSecondService({ DB_POOL_MAX: '1' }, async (baseUrl) => {
      const token = await asAdmin();
      const p = freshPrefix();
      const post = (csv: string, query = '') =>
        fetch(`${baseUrl}/api/v1/product-imports${query}`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'text/csv' },
          body: csv,
        });
      const csv = `sku,name,priceCents,category,onHand\r\n${p}-1,Uno,100,${p},4\r\n${p}-2,Due,200,${p},6\r\n`;
      const [one, two, dry, out] = await Promise.all([
        post(csv),
        post(csv),
        post(csv, '?dryRun=true'),
        fetch(`${baseUrl}/api/v1/products/export?category=${p}`, { headers: { authorization: `Bearer ${token}` } }),
      ]);
      expect([one.status, two.status, dry.status, out.status].sort()).to.deep.equal([200, 200, 201, 201]);
      await out.text();
      const reports = [(await one.json()) as { created: number }, (await two.json()) as { created: number }];
      expect(reports.map((r) => r.created).sort()).to.deep.equal([0, 2]);
    });
  });

  it('replays an applied import with the same Idempotency-Key and file, and refuses the key with another file (422)', async () => {
    const token = await asAdmin();
    const p = freshPrefix();
    const key = randomUUID();
    const csv = `sku,name,priceCents,onHand\r\n${p}-1,Uno,100,5\r\n`;
    const first = await importCsv(token, csv, { headers: { 'idempotency-key': key } });
    const again = await importCsv(token, csv, { headers: { 'idempotency-key': key } });
    expect([first.status, again.status]).to.deep.equal([201, 201]);
    expect(again.headers.get('idempotent-replayed')).to.equal('true');
    expect(again.json).to.deep.equal(first.json);
    const moves = await query('SELECT 1 FROM stock_movements m JOIN products p ON p.id = m.product_id WHERE p.sku = $1', [`${p}-1`]);
    expect(moves).to.have.length(1);
    const other = await importCsv(token, csv.replace('100', '200'), { headers: { 'idempotency-key': key } });
    expect([other.status, other.json.code]).to.deep.equal([422, 'idempotency-key-reused']);
  });

  it('writes one catalog.imported event per applied import and the usual stock events, and nothing for a dry run', async () => {
    const op = await operator();
    const p = freshPrefix();
    const product = await createProduct({ sku: `${p}-1`, initialStock: 1, reorderLevel: 0 });
    const csv = `sku,onHand,reorderLevel\r\n${p}-1,3,5\r\n`;
    const dry = await importCsv(op.token, csv, { query: { dryRun: 'true' } });
    expect(dry.json).to.deep.equal({ rows: 1, created: 0, updated: 1, unchanged: 0, errors: [] });
    expect(await query("SELECT 1 FROM events WHERE type = 'catalog.imported' AND data->>'actorId' = $1", [op.id])).to.deep.equal([]);
    const applied = await importCsv(op.token, csv);
    expect(applied.status).to.equal(201);
    const events = await query<{ data: unknown }>("SELECT data FROM events WHERE type = 'catalog.imported' AND data->>'actorId' = $1", [op.id]);
    expect(events.map((e) => e.data)).to.deep.equal([
      { rows: 1, created: 0, updated: 1, unchanged: 0, stockChanged: 1, actorId: op.id, actorRole: 'operator' },
    ]);
    // available 1 > reorder 0 before; 3 <= 5 after: low stock crossed.
    const low = await query("SELECT data->>'available' AS available FROM events WHERE type = 'inventory.low_stock' AND data->>'productId' = $1", [product.id]);
    expect(low).to.deep.equal([{ available: '3' }]);
    // The stock change is marked for the coalescing publisher (or already published): inventory.stock_changed.
    const announced = await query(
      `SELECT 1 FROM stock_change_marks WHERE product_id = $1::uuid
       UNION ALL SELECT 1 FROM events WHERE type = 'inventory.stock_changed' AND data->>'productId' = $1::text AND data->>'onHand' = '3'`,
      [product.id],
    );
    expect(announced).to.not.deep.equal([]);
  });

  it('detects the dialect (semicolons: excel-it; commas: rfc4180, with or without a BOM) and honours a named one', async () => {
    const token = await asAdmin();
    const p = freshPrefix();
    const excel = await importCsv(token, `sku;name;price\r\n${p}-1;Uno, due;1.000,50\r\n`, { query: { dryRun: 'true' } });
    expect(excel.json).to.deep.include({ rows: 1, created: 1, errors: [] });
    // A BOM does not make commas excel-it (Excel English and LibreOffice save "CSV UTF-8" so).
    const bom = await importCsv(token, `\uFEFFsku,name,priceCents\r\n${p}-2,x,5\r\n`, { query: { dryRun: 'true' } });
    expect(bom.json).to.deep.include({ rows: 1, created: 1, errors: [] });
    const rfc = await importCsv(token, `sku,name,priceCents\r\n${p}-3,"Uno; due",100050\r\n`, { headers: { 'content-type': 'text/csv; charset=utf-8' } });
    expect(rfc.status).to.equal(201);
    expect(await query('SELECT name, unit_price_cents FROM products WHERE sku = $1', [`${p}-3`])).to.deep.equal([
      { name: 'Uno; due', unit_price_cents: 100050 },
    ]);
    const named = await importCsv(token, `sku;name;price\r\n${p}-4;Uno;1,00\r\n`, { query: { dryRun: 'true', dialect: 'rfc4180' } });
    expect(named.json.errors[0]).to.include({ row: 1, column: 'sku;name;price' });
  });
});
