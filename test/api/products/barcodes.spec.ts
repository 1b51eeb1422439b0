import { expect } from 'chai';
import { randomInt } from 'node:crypto';
import { asAdmin, createProduct, customer, problemOf, rawRequest } from '../../support/api';
import { client } from '../../support/client';
import { query } from '../../support/database';
import { gtinCheckDigit } from '../../../src/products/barcode';

/** A fresh valid code of `length` digits (13: EAN-13, 12: UPC-A, 8: EAN-8), in a range no other spec uses. */
function freshBarcode(length: 8 | 12 | 13): string {
  const body = `${length === 8 ? '9' : '29'}${String(randomInt(0, 10 ** 9)).padStart(9, '0')}${String(randomInt(0, 10 ** 4)).padStart(4, '0')}`.slice(
    0,
    length - 1,
  );
  return `${body}${gtinCheckDigit(body)}`;
}

/** The same code with a wrong last digit. */
function withWrongCheckDigit(code: string): string {
  return `${code.slice(0, -1)}${(Number(code.slice(-1)) + 1) % 10}`;
}

describe('Product barcodes', () => {
  it('stores an EAN-13, an EAN-8 and a UPC-A with their check digits, shows them, and finds each by its code', async () => {
    const token = await asAdmin();
    for (const length of [13, 8, 12] as const) {
      const barcode = freshBarcode(length);
      const created = await createProduct({ barcode });
      expect(created.barcode).to.equal(barcode);
      expect(await query('SELECT barcode FROM products WHERE id = $1', [created.id])).to.deep.equal([{ barcode }]);
      const found = await client(token).GET('/api/v1/products', { params: { query: { barcode } } });
      expect(found.data?.items.map((p) => p.id)).to.deep.equal([created.id]);
    }
  });

  it('finds a UPC-A product by its 13-digit EAN form and an EAN-13 with a leading zero by its 12 digits, as scanners read them', async () => {
    const token = await asAdmin();
    const upc = freshBarcode(12);
    const product = await createProduct({ barcode: upc });
    for (const scanned of [`0${upc}`, `00${upc}`]) {
      const found = await client(token).GET('/api/v1/products', { params: { query: { barcode: scanned } } });
      expect(
        found.data?.items.map((p) => p.id),
        scanned,
      ).to.deep.equal([product.id]);
    }
    const taken = await client(token).POST('/api/v1/products', {
      body: { sku: `UPC-${Date.now()}`, name: 'Same code, other form', unitPriceCents: 1, barcode: `0${upc}` },
    });
    expect(taken.response.status).to.equal(409);
    expect(taken.error?.code).to.equal('barcode-taken');
  });

  it('refuses a wrong barcode with 400 naming body.barcode and the reason, storing nothing', async () => {
    const token = await asAdmin();
    const valid = freshBarcode(13);
    const cases: [unknown, RegExp][] = [
      [withWrongCheckDigit(valid), new RegExp(`last digit must be ${valid.slice(-1)}`)],
      [withWrongCheckDigit(freshBarcode(8)), /check digit/],
      [withWrongCheckDigit(freshBarcode(12)), /check digit/],
      ['12345', /8 \(EAN-8\)|13 \(EAN-13\)|digits/],
      ['1234567890', /got 10/],
      ['12345678901234', /got 14/],
      ['4006381A33931', /digits only/],
      [' 4006381333931', /digits only/],
      ['', /.+/],
      [4006381333931, /.+/],
    ];
    for (const [barcode, reason] of cases) {
      const sku = `BAD-BC-${randomInt(1e9)}`;
      const res = await rawRequest('POST', '/api/v1/products', { token, body: { sku, name: 'Bad barcode', unitPriceCents: 1, barcode } });
      expect(res.status, JSON.stringify(barcode)).to.equal(400);
      const error = problemOf(res).errors?.find((e) => e.path === 'body.barcode');
      expect(error, JSON.stringify(problemOf(res))).to.not.equal(undefined);
      expect(error?.message, JSON.stringify(barcode)).to.match(reason);
      expect(await query('SELECT 1 FROM products WHERE sku = $1', [sku])).to.have.length(0);
    }
  });

  it('changes and removes a barcode with PATCH, refuses another product\u2019s with 409 barcode-taken and a bad one with 400', async () => {
    const token = await asAdmin();
    const [a, b] = [await createProduct({ barcode: freshBarcode(13) }), await createProduct()];
    const etagOf = async (id: string) =>
      (await client(token).GET('/api/v1/products/{id}', { params: { path: { id } } })).response.headers.get('etag') as string;
    const patch = async (id: string, body: Record<string, unknown>) =>
      rawRequest('PATCH', `/api/v1/products/${id}`, { token, body, headers: { 'if-match': await etagOf(id) } });

    const taken = await patch(b.id, { barcode: a.barcode });
    expect(taken.status).to.equal(409);
    expect(problemOf(taken).code).to.equal('barcode-taken');
    const bad = await patch(b.id, { barcode: withWrongCheckDigit(a.barcode as string) });
    expect(bad.status).to.equal(400);
    expect(problemOf(bad).errors?.[0]?.path).to.equal('body.barcode');
    expect(await query('SELECT barcode, version FROM products WHERE id = $1', [b.id])).to.deep.equal([{ barcode: null, version: 1 }]);

    const moved = freshBarcode(8);
    expect((await patch(b.id, { barcode: moved })).status).to.equal(200);
    expect((await patch(a.id, { barcode: null })).status).to.equal(200);
    expect((await patch(b.id, { barcode: a.barcode })).status).to.equal(200); // free again
    expect(await query('SELECT id, barcode FROM products WHERE id = ANY($1) ORDER BY barcode NULLS FIRST', [[a.id, b.id]])).to.deep.equal([
      { id: a.id, barcode: null },
      { id: b.id, barcode: a.barcode },
    ]);
  });

  it('gives one of two products created at once with the same barcode a 201 and the other a 409', async () => {
    const token = await asAdmin();
    const barcode = freshBarcode(13);
    const results = await Promise.all(
      [1, 2].map((n) =>
        client(token).POST('/api/v1/products', { body: { sku: `RACE-BC-${n}-${randomInt(1e9)}`, name: 'Racing', unitPriceCents: 1, barcode } }),
      ),
    );
    expect(results.map((r) => r.response.status).sort()).to.deep.equal([201, 409]);
    expect(await query('SELECT count(*)::int AS n FROM products WHERE barcode = $1', [barcode])).to.deep.equal([{ n: 1 }]);
  });

  it('holds in the database even when the code is bypassed: a wrong check digit and a duplicate in another form are refused', async () => {
    const p = await createProduct({ barcode: freshBarcode(12) });
    let error: unknown;
    try {
      await query('UPDATE products SET barcode = $1 WHERE id = $2', [withWrongCheckDigit(p.barcode as string), p.id]);
    } catch (err) {
      error = err;
    }
    expect(String(error)).to.match(/check constraint/);
    const other = await createProduct();
    error = undefined;
    try {
      await query('UPDATE products SET barcode = $1 WHERE id = $2', [`0${p.barcode}`, other.id]);
    } catch (err) {
      error = err;
    }
    expect(String(error)).to.match(/products_barcode_key/);
  });

  it('finds a product by barcode for a customer too, and answers a malformed barcode search with 400', async () => {
    const product = await createProduct({ barcode: freshBarcode(13) });
    const token = (await customer()).token;
    const found = await client(token).GET('/api/v1/products', { params: { query: { barcode: product.barcode as string } } });
    expect(found.data?.items.map((p) => p.id)).to.deep.equal([product.id]);
    for (const bad of ['12ab', '1234567', '123456789012345', '']) {
      const res = await rawRequest('GET', `/api/v1/products?barcode=${encodeURIComponent(bad)}`, { token });
      expect(res.status, bad).to.equal(400);
    }
  });
});
