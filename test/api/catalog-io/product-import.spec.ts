import { expect } from 'chai';
import { asAdmin, createProduct, customer, operator, placedOrder } from '../../support/api';
import { query } from '../../support/database';
import { expectRoundTrip, exportCsv, freshPrefix, importCsv, lines } from './csv-helpers';

describe('CSV product import (issue 30)', () => {
  it('creates and updates products from an Italian Excel file, stock through adjustment movements with the importing user', async () => {
    const op = await operator();
    const p = freshPrefix();
    const existing = await createProduct({ sku: `${p}-OLD`, name: 'Vecchio', unitPriceCents: 100, initialStock: 5 });
    const csv = `\uFEFFsku;name;price;vatRate;onHand\r\n${p}-NEW;Penna à sfera "blu";1.234,56;10;40\r\n${p}-OLD;Vecchio;2,5;22;12\r\n`;
    const res = await importCsv(op.token, csv);
    expect(res.status, res.text).to.equal(201);
    expect(res.json).to.deep.equal({ rows: 2, created: 1, updated: 1, unchanged: 0, errors: [] });
    const rows = await query<{ sku: string; name: string; unit_price_cents: number; vat_rate: number; on_hand: number; version: number }>(
      'SELECT sku, name, unit_price_cents, vat_rate, on_hand, version FROM products WHERE sku LIKE $1 ORDER BY sku',
      [`${p}-%`],
    );
    expect(rows.map((r) => [r.sku, r.name, r.unit_price_cents, r.vat_rate, r.on_hand])).to.deep.equal([
      [`${p}-NEW`, 'Penna à sfera "blu"', 123456, 10, 40],
      [`${p}-OLD`, 'Vecchio', 250, 22, 12],
    ]);
    const moves = await query<{ sku: string; type: string; delta: number; on_hand_after: number; reason: string; actor_id: string }>(
      `SELECT p.sku, m.type, m.delta, m.on_hand_after, m.reason, m.actor_id FROM stock_movements m JOIN products p ON p.id = m.product_id
        WHERE p.sku LIKE $1 AND m.reason = 'import' ORDER BY p.sku`,
      [`${p}-%`],
    );
    expect(moves).to.deep.equal([
      { sku: `${p}-NEW`, type: 'adjustment', delta: 40, on_hand_after: 40, reason: 'import', actor_id: op.id },
      { sku: `${p}-OLD`, type: 'adjustment', delta: 7, on_hand_after: 12, reason: 'import', actor_id: op.id },
    ]);
    // onHand is the sum of the ledger.
    const [sum] = await query<{ s: number }>('SELECT sum(delta)::int AS s FROM stock_movements WHERE product_id = $1', [existing.id]);
    expect(sum?.s).to.equal(12);
  });

  it('round-trips: exporting and importing the same file reports 0 created and 0 updated, in both dialects', async () => {
    const token = await asAdmin();
    const p = freshPrefix();
    await createProduct({
      sku: `${p}-A`,
      name: 'Quaderno; "righe" à la carte',
      description: 'Riga uno\nriga due; "tre"',
      category: p,
      unitPriceCents: 199,
      initialStock: 3,
    });
    await createProduct({
      sku: `${p}-B`,
      name: '-10% sconto =SOMMA',
      description: '=HYPERLINK("http://x.test","clic")',
      category: p,
      unitPriceCents: 0,
      initialStock: 0,
    });
    await expectRoundTrip(token, p, 2);
    const rows = await query<{ name: string; description: string }>('SELECT name, description FROM products WHERE sku LIKE $1 ORDER BY sku', [`${p}-%`]);
    expect(rows).to.deep.equal([
      { name: 'Quaderno; "righe" à la carte', description: 'Riga uno\nriga due; "tre"' },
      { name: '-10% sconto =SOMMA', description: '=HYPERLINK("http://x.test","clic")' },
    ]);
  });

  it('names the row and column of a wrong cell, and writes nothing', async () => {
    const token = await asAdmin();
    const p = freshPrefix();
    const csv = `sku,name,priceCents,vatRate\r\n${p}-1,Uno,100,22\r\n${p}-2,Due,100,21\r\n`;
    const res = await importCsv(token, csv, { headers: { 'accept-language': 'it-IT,it;q=0.9,en;q=0.8' } });
    expect(res.status).to.equal(422);
    expect(res.json.code).to.equal('import-invalid');
    expect(res.json.report.errors).to.deep.equal([{ row: 3, column: 'vatRate', value: '21', message: 'aliquota IVA non valida: usa 0, 4, 5, 10 o 22' }]);
    expect(await query('SELECT 1 FROM products WHERE sku LIKE $1', [`${p}-%`])).to.deep.equal([]);
    const en = await importCsv(token, csv, { query: { dryRun: 'true' }, headers: { 'accept-language': 'en' } });
    expect(en.status).to.equal(200);
    expect(en.json.errors[0].message).to.equal('not a valid VAT rate: use 0, 4, 5, 10 or 22');
  });

  it('refuses stock below what orders reserve as a row error', async () => {
    const token = await asAdmin();
    const p = freshPrefix();
    const product = await createProduct({ sku: `${p}-R`, initialStock: 10 });
    const buyer = await customer();
    await placedOrder(buyer.token, [{ productId: product.id, quantity: 6 }]);
    const res = await importCsv(token, `sku,onHand\r\n${p}-R,5\r\n`);
    expect(res.status).to.equal(422);
    expect(res.json.report.errors).to.deep.equal([{ row: 2, column: 'onHand', value: '5', message: 'stock below the 6 units reserved by orders' }]);
    expect(await query('SELECT on_hand FROM products WHERE id = $1', [product.id])).to.deep.equal([{ on_hand: 10 }]);
  });

  it('exports with formula cells neutralised', async () => {
    const token = await asAdmin();
    const p = freshPrefix();
    await createProduct({ sku: `${p}-F`, name: '=HYPERLINK("http://evil.test","x")', category: p });
    const out = await exportCsv(token, '/api/v1/products/export', { dialect: 'rfc4180', category: p });
    expect(lines(out.text)[1]).to.match(new RegExp(`^${p}-F,"'=HYPERLINK\\(""http://evil.test"",""x""\\)",`));
  });
});
