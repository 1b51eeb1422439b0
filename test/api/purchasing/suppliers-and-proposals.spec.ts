import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { createProduct, createSupplier, customer, ok, operator, placedOrder, problemOf, rawRequest, type TestUser } from '../../support/api';
import { client } from '../../support/client';
import { query } from '../../support/database';

describe('purchasing: suppliers, product supply fields, incoming and proposals', () => {
  let op: TestUser;
  before(async () => {
    op = await operator();
  });

  describe('suppliers', () => {
    it('stores a Partita IVA without its IT prefix and spaces, and a foreign VAT number upper-case', async () => {
      const italian = await createSupplier(op.token, { vatNumber: 'IT 0123456789 7', email: 'ordini@example.it', leadTimeDays: 5 });
      expect(italian).to.include({ vatNumber: '01234567897', email: 'ordini@example.it', leadTimeDays: 5, archived: false });
      const german = await createSupplier(op.token, { vatNumber: 'de123456789' });
      expect(german.vatNumber).to.equal('DE123456789');
      const [row] = await query('SELECT vat_number FROM suppliers WHERE id = $1', [italian.id]);
      expect(row).to.deep.equal({ vat_number: '01234567897' });
    });

    for (const [vatNumber, reason] of [
      ['01234567890', 'the check digit of this Partita IVA should be 7'],
      ['IT0123456789', 'an Italian Partita IVA has 11 digits; this has 10'],
      ['123', 'an Italian Partita IVA has 11 digits; this has 3'],
      ['ITABCDEFGHIJK', 'an Italian Partita IVA has 11 digits after IT'],
      ['D1', 'must be a Partita IVA (11 digits) or a foreign VAT number (a 2-letter country code and 2 to 13 letters or digits)'],
    ] as const) {
      it(`refuses the VAT number ${vatNumber} with a 400 saying why, storing nothing`, async () => {
        const name = `Bad VAT ${randomUUID()}`;
        const res = await rawRequest('POST', '/api/v1/suppliers', { token: op.token, body: { name, vatNumber } });
        expect(res.status).to.equal(400);
        expect(problemOf(res).errors).to.deep.equal([{ path: 'body.vatNumber', message: reason }]);
        expect(await query('SELECT 1 FROM suppliers WHERE name = $1', [name])).to.have.length(0);
      });
    }

    it('changes and archives a supplier; an archived one gets no new purchase order (400) and leaves the list', async () => {
      const s = await createSupplier(op.token);
      const product = await createProduct();
      const changed = ok(await client(op.token).PATCH('/api/v1/suppliers/{id}', { params: { path: { id: s.id } }, body: { leadTimeDays: 9, archived: true } }));
      expect(changed).to.include({ leadTimeDays: 9, archived: true });
      const list = ok(await client(op.token).GET('/api/v1/suppliers', { params: { query: { archived: true, limit: 100 } } }));
      expect(list.items.map((x) => x.id)).to.include(s.id);
      const res = await client(op.token).POST('/api/v1/purchase-orders', {
        body: { supplierId: s.id, lines: [{ productId: product.id, quantity: 1, unitCostCents: 1 }] },
      });
      expect(res.response.status).to.equal(400);
      expect((res.error as { errors: unknown[] }).errors).to.deep.equal([{ path: 'body.supplierId', message: 'the supplier is archived' }]);
    });

    it('pages suppliers by name with a cursor', async () => {
      const prefix = `zz-${randomUUID().slice(0, 6)}`;
      for (const n of ['c', 'a', 'b']) await createSupplier(op.token, { name: `${prefix} ${n}` });
      const names: string[] = [];
      let cursor: string | undefined;
      do {
        const page = ok(await client(op.token).GET('/api/v1/suppliers', { params: { query: { limit: 100, ...(cursor ? { cursor } : {}) } } }));
        names.push(...page.items.map((x) => x.name).filter((n) => n.startsWith(prefix)));
        cursor = page.nextCursor ?? undefined;
      } while (cursor);
      expect(names).to.deep.equal([`${prefix} a`, `${prefix} b`, `${prefix} c`]);
    });
  });

  describe('products', () => {
    it('carry supplierId, supplierSku and reorderQuantity through create, patch and view', async () => {
      const s = await createSupplier(op.token);
      const product = await createProduct({ supplierId: s.id, supplierSku: 'X-1', reorderQuantity: 40 });
      expect(product).to.include({ supplierId: s.id, supplierSku: 'X-1', reorderQuantity: 40, incoming: 0 });
      const got = await client(op.token).GET('/api/v1/products/{id}', { params: { path: { id: product.id } } });
      const etag = got.response.headers.get('etag') as string;
      const patched = ok(
        await client(op.token).PATCH('/api/v1/products/{id}', {
          params: { path: { id: product.id }, header: { 'If-Match': etag } },
          body: { reorderQuantity: null, supplierSku: 'X-2' },
        }),
      );
      expect(patched).to.include({ reorderQuantity: null, supplierSku: 'X-2', supplierId: s.id });
    });

    it('refuses an unknown supplier (400 naming body.supplierId) and a reorder quantity of 0', async () => {
      const sku = `NOSUP-${randomUUID().slice(0, 8)}`;
      const unknown = await rawRequest('POST', '/api/v1/products', { token: op.token, body: { sku, name: 'x', unitPriceCents: 1, supplierId: randomUUID() } });
      expect(unknown.status).to.equal(400);
      expect(problemOf(unknown).errors).to.deep.equal([{ path: 'body.supplierId', message: 'must be an existing supplier' }]);
      const zero = await rawRequest('POST', '/api/v1/products', { token: op.token, body: { sku, name: 'x', unitPriceCents: 1, reorderQuantity: 0 } });
      expect(zero.status).to.equal(400);
      expect(await query('SELECT 1 FROM products WHERE sku = $1', [sku])).to.have.length(0);
    });

    it('are listed with incoming=true while a sent order brings them, and not once it is cancelled', async () => {
      const s = await createSupplier(op.token);
      const product = await createProduct({ supplierId: s.id });
      const po = ok(
        await client(op.token).POST('/api/v1/purchase-orders', {
          body: { supplierId: s.id, lines: [{ productId: product.id, quantity: 7, unitCostCents: 1 }] },
        }),
      );
      const listed = async () =>
        ok(await client(op.token).GET('/api/v1/products', { params: { query: { incoming: true, q: product.sku, limit: 100 } } })).items.map((p) => [
          p.id,
          p.incoming,
        ]);
      expect(await listed()).to.deep.equal([]);
      ok(await client(op.token).POST('/api/v1/purchase-orders/{id}/send', { params: { path: { id: po.id } } }));
      expect(await listed()).to.deep.equal([[product.id, 7]]);
      ok(await client(op.token).POST('/api/v1/purchase-orders/{id}/cancel', { params: { path: { id: po.id } } }));
      expect(await listed()).to.deep.equal([]);
    });

    it('an archived product stays when a purchase order names it (DELETE archives it)', async () => {
      const s = await createSupplier(op.token);
      const product = await createProduct({ supplierId: s.id });
      ok(
        await client(op.token).POST('/api/v1/purchase-orders', {
          body: { supplierId: s.id, lines: [{ productId: product.id, quantity: 1, unitCostCents: 1 }] },
        }),
      );
      const res = await client(op.token).DELETE('/api/v1/products/{id}', { params: { path: { id: product.id } } });
      expect(res.response.status).to.equal(204);
      expect(await query('SELECT active FROM products WHERE id = $1', [product.id])).to.deep.equal([{ active: false }]);
    });
  });

  describe('proposals', () => {
    it('propose, per supplier, exactly the low products with reorderQuantity less incoming; no supplier apart; nothing written', async () => {
      const a = await createSupplier(op.token, { name: `AAA ${randomUUID().slice(0, 6)}` });
      const b = await createSupplier(op.token, { name: `BBB ${randomUUID().slice(0, 6)}` });
      // Low: available 3 ≤ 5. Default quantity: 2 × 5 − 3 = 7.
      const lowDefault = await createProduct({ initialStock: 3, reorderLevel: 5, supplierId: a.id });
      // Low, reorder 50, 20 incoming on a sent order: 30.
      const lowIncoming = await createProduct({ initialStock: 0, reorderLevel: 10, reorderQuantity: 50, supplierId: a.id });
      // Low, but 60 incoming ≥ 50: left out.
      const covered = await createProduct({ initialStock: 0, reorderLevel: 10, reorderQuantity: 50, supplierId: b.id });
      // Not low.
      const fine = await createProduct({ initialStock: 100, reorderLevel: 10, supplierId: b.id });
      // Low by a reservation, supplier b: 12 − (available 2) … reorderQuantity 12 → 12.
      const reserved = await createProduct({ initialStock: 10, reorderLevel: 4, reorderQuantity: 12, supplierId: b.id });
      await placedOrder((await customer()).token, [{ productId: reserved.id, quantity: 8 }]);
      const orphan = await createProduct({ initialStock: 1, reorderLevel: 5 });

      const send = async (supplierId: string, productId: string, quantity: number, unitCostCents: number) => {
        const po = ok(await client(op.token).POST('/api/v1/purchase-orders', { body: { supplierId, lines: [{ productId, quantity, unitCostCents }] } }));
        ok(await client(op.token).POST('/api/v1/purchase-orders/{id}/send', { params: { path: { id: po.id } } }));
      };
      await send(a.id, lowIncoming.id, 20, 333);
      await send(b.id, covered.id, 60, 1);
      const before = await query<{ n: number }>('SELECT count(*)::int AS n FROM purchase_orders');

      const res = ok(await client(op.token).POST('/api/v1/purchase-orders/proposals', {}));
      const mine = new Set([a.id, b.id]);
      const proposals = res.proposals.filter((p) => mine.has(p.supplierId));
      const byId = (x: unknown[], y: unknown[]) => (String(x[0]) < String(y[0]) ? -1 : 1);
      expect(proposals.map((p) => [p.supplierId, p.lines.map((l) => [l.productId, l.quantity, l.unitCostCents]).sort(byId)])).to.deep.equal([
        [
          a.id,
          [
            [lowDefault.id, 7, 0],
            [lowIncoming.id, 30, 333],
          ].sort(byId),
        ],
        [b.id, [[reserved.id, 12, 0]]],
      ]);
      expect(proposals[0]?.lines.find((l) => l.productId === lowIncoming.id)).to.include({ incoming: 20, reorderQuantity: 50, available: 0 });
      const ids = res.proposals.flatMap((p) => p.lines.map((l) => l.productId));
      expect(ids).to.not.include.members([covered.id, fine.id, orphan.id]);
      expect(res.withoutSupplier.map((p) => p.productId)).to.include(orphan.id);
      expect(await query<{ n: number }>('SELECT count(*)::int AS n FROM purchase_orders')).to.deep.equal(before);

      const accepted = await client(op.token).POST('/api/v1/purchase-orders/proposals/accept', {
        params: { header: { 'Idempotency-Key': randomUUID() } },
        body: { supplierIds: [a.id, b.id] },
      });
      expect(accepted.response.status).to.equal(201);
      const drafts = ok(accepted).purchaseOrders;
      expect(drafts.map((d) => [d.supplierId, d.status, d.lines.map((l) => [l.productId, l.quantity])])).to.deep.equal(
        proposals.map((p) => [p.supplierId, 'draft', p.lines.map((l) => [l.productId, l.quantity])]),
      );
      const stored = await query('SELECT supplier_id, status FROM purchase_orders WHERE id = ANY($1::uuid[]) ORDER BY number', [drafts.map((d) => d.id)]);
      expect(stored).to.have.length(2);
    });
  });
});
