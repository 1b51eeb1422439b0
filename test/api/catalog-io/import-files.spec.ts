import { expect } from 'chai';
import { asAdmin, customer } from '../../support/api';
import { query } from '../../support/database';
import { withSecondService } from '../../support/services';
import { freshPrefix, importCsv } from './csv-helpers';

/** Bad files are refused with a problem that says what is wrong (never a 500), and nothing is written. */
describe('CSV product import: bad files', () => {
  const nothingWritten = async (p: string): Promise<void> => {
    expect(await query('SELECT 1 FROM products WHERE sku LIKE $1', [`${p}%`])).to.deep.equal([]);
  };

  it('refuses an empty file (400 csv-empty), a binary one (400 csv-not-text) and one not in UTF-8 (400 csv-encoding)', async () => {
    const token = await asAdmin();
    const p = freshPrefix();
    const empty = await importCsv(token, '');
    expect([empty.status, empty.json.code]).to.deep.equal([400, 'csv-empty']);
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52]);
    const binary = await importCsv(token, png);
    expect([binary.status, binary.json.code]).to.deep.equal([400, 'csv-not-text']);
    // "Caffè" in Windows-1252, as an old Excel "CSV" would save it.
    const latin1 = Buffer.concat([Buffer.from(`sku;name;price\r\n${p}-1;Caff`), Buffer.from([0xe8]), Buffer.from(';1,00\r\n')]);
    const encoding = await importCsv(token, latin1);
    expect([encoding.status, encoding.json.code]).to.deep.equal([400, 'csv-encoding']);
    expect(encoding.json.detail).to.match(/UTF-8/);
    await nothingWritten(p);
  });

  it('refuses a header without rows (422 csv-no-rows) and a 10 MB single line (413 csv-line-too-long)', async () => {
    const token = await asAdmin();
    const headerOnly = await importCsv(token, 'sku;name;price\r\n');
    expect([headerOnly.status, headerOnly.json.code]).to.deep.equal([422, 'csv-no-rows']);
    const oneLine = await importCsv(token, `sku,name\r\nX,${'a'.repeat(10 * 1024 * 1024)}`);
    expect([oneLine.status, oneLine.json.code]).to.deep.equal([413, 'csv-line-too-long']);
    const noBreak = await importCsv(token, 'x'.repeat(10 * 1024 * 1024));
    expect([noBreak.status, noBreak.json.code]).to.deep.equal([413, 'csv-line-too-long']);
  });

  it('answers 413 beyond IMPORT_MAX_BYTES and IMPORT_MAX_ROWS, writing nothing', async () => {
    await withSecondService({ IMPORT_MAX_BYTES: '2048', IMPORT_MAX_ROWS: '3' }, async (baseUrl) => {
      const token = await asAdmin();
      const p = freshPrefix();
      const post = (body: string) =>
        fetch(`${baseUrl}/api/v1/product-imports`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'text/csv' }, body });
      const big = await post(`sku,name,priceCents\r\n${Array.from({ length: 100 }, (_, i) => `${p}-${i},Nome ${i},100`).join('\r\n')}\r\n`);
      expect(big.status).to.equal(413);
      expect(((await big.json()) as { code: string }).code).to.equal('payload-too-large');
      const many = await post(`sku,name,priceCents\r\n${Array.from({ length: 4 }, (_, i) => `${p}-${i},Nome ${i},100`).join('\r\n')}\r\n`);
      expect(many.status).to.equal(413);
      expect(((await many.json()) as { code: string }).code).to.equal('import-too-many-rows');
      await nothingWritten(p);
    });
  });

  it('reports unknown columns, a missing sku column, wrong cell counts and an unclosed quote as errors of their rows', async () => {
    const token = await asAdmin();
    const p = freshPrefix();
    const unknown = await importCsv(token, `sku,nome,priceCents\r\n${p}-1,Uno,100\r\n`, { query: { dryRun: 'true' } });
    expect(unknown.status).to.equal(200);
    expect(unknown.json.errors).to.have.length(1);
    expect(unknown.json.errors[0]).to.include({ row: 1, column: 'nome', value: 'nome' });
    const noSku = await importCsv(token, `name,priceCents\r\nUno,100\r\n`, { headers: { 'accept-language': 'it' } });
    expect(noSku.status).to.equal(422);
    expect(noSku.json.report.errors).to.deep.equal([{ row: 1, column: 'sku', value: null, message: 'manca la colonna sku, che identifica ogni prodotto' }]);
    const cells = await importCsv(token, `sku,name,priceCents\r\n${p}-1,Uno\r\n${p}-2,"Due, ""due""",200\r\n${p}-3,"Tre,300\r\n`);
    expect(cells.status).to.equal(422);
    expect(cells.json.report.errors.map((e: { row: number; column: string | null }) => [e.row, e.column])).to.deep.equal([
      [2, null],
      [4, null],
    ]);
    await nothingWritten(p);
  });

  it('names each wrong cell: price, VAT, barcode, too long a name, a duplicate SKU, a new product without a price', async () => {
    const token = await asAdmin();
    const p = freshPrefix();
    const csv = [
      'sku;name;price;vatRate;barcode;onHand',
      `${p}-1;Uno;12,345;22;;1`,
      `${p}-2;Due;1,00;7;8001120123458;-3`,
      `${p}-3;${'n'.repeat(201)};1,00;22;;`,
      `${p}-1;Uno bis;1,00;22;;`,
      `${p}-5;Cinque;;22;;`,
    ].join('\r\n');
    const res = await importCsv(token, csv, { query: { dryRun: 'true' }, headers: { 'accept-language': 'en' } });
    expect(res.status).to.equal(200);
    expect(res.json.errors.map((e: { row: number; column: string }) => `${e.row}:${e.column}`)).to.deep.equal([
      '2:price',
      '3:vatRate',
      '3:barcode',
      '3:onHand',
      '4:name',
      '5:sku',
    ]);
    expect(res.json.errors.find((e: { column: string }) => e.column === 'barcode').message).to.equal('not a valid barcode (the check digit should be 9)');
    // Fixed, the file still has a new product without a price: the database side of the check.
    const fixed = await importCsv(token, `sku;name;price\r\n${p}-5;Cinque;\r\n`, { query: { dryRun: 'true' } });
    expect(fixed.json.errors).to.deep.equal([{ row: 2, column: 'price', value: null, message: 'the product is new: it needs the price column' }]);
    await nothingWritten(p);
  });

  it('refuses a customer (403) and a non-CSV content type (415)', async () => {
    const buyer = await customer();
    const res = await importCsv(buyer.token, 'sku\r\nX\r\n');
    expect(res.status).to.equal(403);
    const token = await asAdmin();
    const json = await importCsv(token, '{"sku":"X"}', { headers: { 'content-type': 'application/json' } });
    expect(json.status).to.equal(415);
  });
});
