import { expect } from 'chai';
import { asAdmin, createProduct } from '../../support/api';
import { query } from '../../support/database';
import { expectRoundTrip, freshPrefix, importCsv } from './csv-helpers';

/** Files real spreadsheets write, and reports that stay within the contract whatever the file. */
describe('CSV product import: edges of real files', () => {
  it('answers a header cell of 300 characters with a report whose column is cut to 200 (not a 500)', async () => {
    const token = await asAdmin();
    const p = freshPrefix();
    const long = 'x'.repeat(300);
    const res = await importCsv(token, `sku;${long}\r\n${p}-1;a\r\n`, { query: { dryRun: 'true' } });
    expect(res.status, res.text).to.equal(200);
    expect(res.json.errors).to.have.length(1);
    expect(res.json.errors[0].row).to.equal(1);
    expect(res.json.errors[0].column).to.equal('x'.repeat(200));
    expect(res.json.errors[0].value).to.equal(long);
    // The applied import answers the same report inside its 422 problem.
    const applied = await importCsv(token, `sku;${long}\r\n${p}-1;a\r\n`);
    expect([applied.status, applied.json.code]).to.deep.equal([422, 'import-invalid']);
    expect(applied.json.report.errors[0].column).to.have.length(200);
    expect(await query('SELECT 1 FROM products WHERE sku LIKE $1', [`${p}-%`])).to.deep.equal([]);
  });

  it('cuts a cell value at 1,000 characters counting an emoji as one, never splitting it', async () => {
    const token = await asAdmin();
    const p = freshPrefix();
    const res = await importCsv(token, `sku;name\r\n${p}-1;${'😀'.repeat(1500)}\r\n`, { query: { dryRun: 'true' } });
    expect(res.status, res.text).to.equal(200);
    expect(res.json.errors).to.have.length(1);
    expect(res.json.errors[0].column).to.equal('name');
    expect(res.json.errors[0].value).to.equal('😀'.repeat(1000));
  });

  it("skips the records of blank cells Excel leaves for cleared rows, and still names the file's line of a wrong cell", async () => {
    const token = await asAdmin();
    const p = freshPrefix();
    const blank = ';;;;';
    const csv = `\uFEFFsku;name;price;vatRate;onHand\r\n${p}-1;Uno;1,00;22;3\r\n${blank}\r\n ; ;;;\r\n${p}-2;Due;2,00;22;4\r\n${blank}\r\n${blank}\r\n`;
    const res = await importCsv(token, csv);
    expect(res.status, res.text).to.equal(201);
    expect(res.json).to.deep.equal({ rows: 2, created: 2, updated: 0, unchanged: 0, errors: [] });
    const rows = await query<{ sku: string; on_hand: number }>('SELECT sku, on_hand FROM products WHERE sku LIKE $1 ORDER BY sku', [`${p}-%`]);
    expect(rows).to.deep.equal([
      { sku: `${p}-1`, on_hand: 3 },
      { sku: `${p}-2`, on_hand: 4 },
    ]);
    // A wrong cell after cleared rows: its row is the file's record number (5), not the 2nd data row.
    const wrong = await importCsv(token, `sku;name;price;vatRate;onHand\r\n${p}-3;Tre;1,00;22;1\r\n${blank}\r\n${blank}\r\n${p}-4;Quattro;1,00;21;1\r\n`, {
      query: { dryRun: 'true' },
    });
    expect(wrong.status, wrong.text).to.equal(200);
    expect(wrong.json.errors.map((e: { row: number; column: string }) => [e.row, e.column])).to.deep.equal([[5, 'vatRate']]);
    // Only cleared rows: no rows.
    const none = await importCsv(token, `sku;name;price\r\n;;\r\n;;\r\n`);
    expect([none.status, none.json.code]).to.deep.equal([422, 'csv-no-rows']);
  });

  it('reads a UTF-8 file with a BOM and commas (Excel English, LibreOffice) as rfc4180, and one with a BOM and semicolons as excel-it', async () => {
    const token = await asAdmin();
    const p = freshPrefix();
    const commas = await importCsv(token, `\uFEFFsku,name,priceCents,vatRate\r\n${p}-EN,"Pen, blue",150,22\r\n`);
    expect(commas.status, commas.text).to.equal(201);
    expect(commas.json).to.deep.equal({ rows: 1, created: 1, updated: 0, unchanged: 0, errors: [] });
    const semicolons = await importCsv(token, `\uFEFFsku;name;price;vatRate\r\n${p}-IT;Penna, blu;1,50;22\r\n`);
    expect(semicolons.status, semicolons.text).to.equal(201);
    const rows = await query<{ sku: string; name: string; unit_price_cents: number }>(
      'SELECT sku, name, unit_price_cents FROM products WHERE sku LIKE $1 ORDER BY sku',
      [`${p}-%`],
    );
    expect(rows).to.deep.equal([
      { sku: `${p}-EN`, name: 'Pen, blue', unit_price_cents: 150 },
      { sku: `${p}-IT`, name: 'Penna, blu', unit_price_cents: 150 },
    ]);
  });

  it('round-trips a product with an empty description and a name of 150 emoji (0 updated), in both dialects', async () => {
    const token = await asAdmin();
    const p = freshPrefix();
    // 150 emoji are 300 UTF-16 units: the API (which counts characters) accepts the name.
    await createProduct({
      sku: `${p}-E`,
      name: '📦'.repeat(150),
      description: '',
      category: p,
      unitPriceCents: 100,
      initialStock: 1,
      supplierSku: '=F-1',
      reorderQuantity: 40,
    });
    await createProduct({ sku: `${p}-N`, name: 'Senza descrizione', description: null, category: p, unitPriceCents: 100, initialStock: 1 });
    await expectRoundTrip(token, p, 2);
    const rows = await query<{ sku: string; description: string | null; version: number }>(
      'SELECT sku, description, version FROM products WHERE sku LIKE $1 ORDER BY sku',
      [`${p}-%`],
    );
    expect(rows.map((r) => [r.sku, r.description])).to.deep.equal([
      [`${p}-E`, ''],
      [`${p}-N`, null],
    ]);
    // A row that changes another field leaves the '' description as it is.
    const price = await importCsv(token, `sku,priceCents,description\r\n${p}-E,200,\r\n`);
    expect(price.json).to.deep.equal({ rows: 1, created: 0, updated: 1, unchanged: 0, errors: [] });
    const [after] = await query<{ description: string | null; unit_price_cents: number }>('SELECT description, unit_price_cents FROM products WHERE sku = $1', [
      `${p}-E`,
    ]);
    expect(after).to.deep.equal({ description: '', unit_price_cents: 200 });
  });

  it("sets purchasing's supplierSku and reorderQuantity (validated as the API does, an empty cell clears them) and ignores incoming", async () => {
    const token = await asAdmin();
    const p = freshPrefix();
    await createProduct({ sku: `${p}-1`, unitPriceCents: 100, initialStock: 1, supplierSku: 'OLD-1', reorderQuantity: 5 });
    const header = 'sku,name,priceCents,supplierSku,reorderQuantity,incoming';
    const wrong = await importCsv(token, `${header}\r\n${p}-1,,,${'s'.repeat(65)},0,abc\r\n${p}-2,Due,100,A\tB,x,\r\n`);
    expect(wrong.status, wrong.text).to.equal(422);
    expect(wrong.json.report.errors.map((e: { row: number; column: string; message: string }) => [e.row, e.column, e.message])).to.deep.equal([
      [2, 'supplierSku', 'too long: at most 64 characters'],
      [2, 'reorderQuantity', 'not a valid number: a whole number from 1 to 1000000000'],
      [3, 'supplierSku', 'must not contain line breaks or control characters'],
      [3, 'reorderQuantity', 'not a valid number: a whole number from 1 to 1000000000'],
    ]);
    const res = await importCsv(token, `${header}\r\n${p}-1,,,,,99\r\n${p}-2,Due,100,${'📦'.repeat(64)},12,7\r\n`);
    expect(res.status, res.text).to.equal(201);
    expect(res.json).to.deep.equal({ rows: 2, created: 1, updated: 1, unchanged: 0, errors: [] });
    expect(await query('SELECT sku, supplier_sku, reorder_quantity, incoming FROM products WHERE sku LIKE $1 ORDER BY sku', [`${p}-%`])).to.deep.equal([
      { sku: `${p}-1`, supplier_sku: null, reorder_quantity: null, incoming: 0 },
      { sku: `${p}-2`, supplier_sku: '📦'.repeat(64), reorder_quantity: 12, incoming: 0 },
    ]);
  });
});
