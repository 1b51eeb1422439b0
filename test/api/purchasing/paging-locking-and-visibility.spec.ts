import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { Client } from 'pg';
import { asAdmin, createProduct, createSupplier, customer, ok, operator, type Product, type Schemas, type TestUser } from '../../support/api';
import { client } from '../../support/client';
import { query, waitFor } from '../../support/database';
import { h } from '../../support/hooks';

const PURCHASING_FIELDS = ['supplierId', 'supplierSku', 'reorderQuantity', 'incoming'];

describe('purchasing: paging drafts made together, line lock order, long proposals, what customers see', () => {
  let op: TestUser;
  before(async () => {
    op = await operator();
  });

  async function accept(supplierIds: string[]) {
    return client(op.token).POST('/api/v1/purchase-orders/proposals/accept', {
      params: { header: { 'Idempotency-Key': randomUUID() } },
      body: { supplierIds },
    });
  }

  it('pages every draft an accepted proposal made in one transaction, one per page (none hides behind the ms cursor)', async () => {
    const suppliers = [];
    for (let i = 0; i < 3; i += 1) {
      const s = await createSupplier(op.token);
      await createProduct({ initialStock: 0, reorderLevel: 3, supplierId: s.id });
      suppliers.push(s.id);
    }
    const res = await accept(suppliers);
    expect(res.response.status).to.equal(201);
    const made = ok(res).purchaseOrders.map((o) => o.id);
    expect(made).to.have.length(3);

    const seen: string[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < 500 && seen.length < 3; page += 1) {
      const list = ok(
        await client(op.token).GET('/api/v1/purchase-orders', { params: { query: { status: 'draft', limit: 1, ...(cursor ? { cursor } : {}) } } }),
      );
      seen.push(...list.items.map((o) => o.id).filter((id) => made.includes(id)));
      if (!list.nextCursor) break;
      cursor = list.nextCursor;
    }
    expect([...seen].sort()).to.deep.equal([...made].sort());
  });

  it('inserts lines in product id order, keeping the caller’s order as positions: a draft [B, A] never holds B while waiting for A', async () => {
    const s = await createSupplier(op.token);
    const [a, b] = [await createProduct({ supplierId: s.id }), await createProduct({ supplierId: s.id })].sort((x, y) => (x.id < y.id ? -1 : 1)) as [
      Product,
      Product,
    ];
    // Another transaction locks A as an order placement does (FOR UPDATE, products in id order).
    const holder = new Client({ connectionString: h().database.url });
    await holder.connect();
    let lockedB = false;
    try {
      await holder.query('BEGIN');
      await holder.query('SELECT 1 FROM products WHERE id = $1 FOR UPDATE', [a.id]);
      const creating = client(op.token).POST('/api/v1/purchase-orders', {
        body: {
          supplierId: s.id,
          lines: [
            { productId: b.id, quantity: 2, unitCostCents: 20 },
            { productId: a.id, quantity: 1, unitCostCents: 10 },
          ],
        },
      });
      // The draft's line insert waits for A's lock …
      await waitFor(
        async () =>
          (
            await query(
              "SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE 'INSERT INTO purchase_order_lines%'",
            )
          ).length > 0,
        5000,
        'the line insert waiting for product A',
      );
      // … holding nothing on B: the placement's next lock (B) is free, so the two cannot deadlock.
      try {
        await holder.query('SELECT 1 FROM products WHERE id = $1 FOR UPDATE NOWAIT', [b.id]);
        lockedB = true;
      } catch {
        lockedB = false;
      }
      await holder.query('COMMIT');
      const res = await creating;
      expect(res.response.status).to.equal(201);
      expect(ok(res).lines.map((l) => [l.productId, l.quantity])).to.deep.equal([
        [b.id, 2],
        [a.id, 1],
      ]);
      expect(await query('SELECT product_id, position FROM purchase_order_lines WHERE purchase_order_id = $1 ORDER BY position', [ok(res).id])).to.deep.equal([
        { product_id: b.id, position: 0 },
        { product_id: a.id, position: 1 },
      ]);
    } finally {
      await holder.query('ROLLBACK').catch(() => undefined);
      await holder.end();
    }
    expect(lockedB, 'B was free while the draft waited for A').to.equal(true);
  });

  it('splits a supplier with 101 low products into proposals and drafts of at most 100 lines, every product on one', async function () {
    this.timeout(60_000);
    const s = await createSupplier(op.token);
    const products: Product[] = [];
    // Not through createProduct: its SKU counter is read after an await (builders run at once would
    // share one), and 101 more would lengthen the SKUs other specs of the run print on a PDF.
    const run = randomUUID().slice(0, 8);
    const admin = await asAdmin();
    for (let i = 0; i < 101; i += 10) {
      products.push(
        ...(await Promise.all(
          Array.from({ length: Math.min(10, 101 - i) }, async (_, j) =>
            ok(
              await client(admin).POST('/api/v1/products', {
                body: { sku: `BULK-${run}-${i + j}`, name: `Bulk ${i + j}`, unitPriceCents: 100, reorderLevel: 2, reorderQuantity: 5, supplierId: s.id },
              }),
            ),
          ),
        )),
      );
    }
    const ids = products.map((p) => p.id).sort();

    const proposals = ok(await client(op.token).POST('/api/v1/purchase-orders/proposals', {})).proposals.filter((p) => p.supplierId === s.id);
    expect(proposals.map((p) => p.lines.length)).to.deep.equal([100, 1]);
    expect(proposals.flatMap((p) => p.lines.map((l) => l.productId)).sort()).to.deep.equal(ids);

    const res = await accept([s.id]);
    expect(res.response.status).to.equal(201);
    const drafts = ok(res).purchaseOrders;
    expect(drafts.map((d) => [d.supplierId, d.status, d.lines.length])).to.deep.equal([
      [s.id, 'draft', 100],
      [s.id, 'draft', 1],
    ]);
    const stored = await query<{ product_id: string; quantity: number }>(
      'SELECT l.product_id, l.quantity FROM purchase_order_lines l JOIN purchase_orders o ON o.id = l.purchase_order_id WHERE o.supplier_id = $1',
      [s.id],
    );
    expect(stored.map((r) => r.product_id).sort()).to.deep.equal(ids);
    expect(stored.every((r) => r.quantity === 5)).to.equal(true);
  });

  describe('customers', () => {
    let buyer: TestUser;
    let brought: Product;
    let plain: Product;
    before(async () => {
      buyer = await customer();
      const s = await createSupplier(op.token);
      brought = await createProduct({ supplierId: s.id, supplierSku: 'F-1', reorderQuantity: 9 });
      plain = await createProduct({ supplierId: s.id, supplierSku: 'F-2' });
      const po = ok(
        await client(op.token).POST('/api/v1/purchase-orders', {
          body: { supplierId: s.id, lines: [{ productId: brought.id, quantity: 4, unitCostCents: 1 }] },
        }),
      );
      ok(await client(op.token).POST('/api/v1/purchase-orders/{id}/send', { params: { path: { id: po.id } } }));
    });

    // By SKU (q also finds longer SKUs containing it: only the product of that SKU counts).
    const listed = async (token: string, q: string, incoming?: boolean): Promise<Schemas['Product'][]> =>
      ok(await client(token).GET('/api/v1/products', { params: { query: { q, limit: 100, ...(incoming === undefined ? {} : { incoming }) } } })).items.filter(
        (p) => p.sku === q,
      );

    it('see no supplier, supplier code, reorder quantity or incoming units, in the list or one product; staff do', async () => {
      const [mine] = await listed(buyer.token, brought.sku);
      expect(mine?.id).to.equal(brought.id);
      expect(mine).to.not.have.any.keys(...PURCHASING_FIELDS);
      const one = ok(await client(buyer.token).GET('/api/v1/products/{id}', { params: { path: { id: brought.id } } }));
      expect(one).to.not.have.any.keys(...PURCHASING_FIELDS);
      expect(one).to.include({ id: brought.id, sku: brought.sku });

      const [staff] = await listed(op.token, brought.sku);
      expect(staff).to.include({ supplierSku: 'F-1', reorderQuantity: 9, incoming: 4 });
      expect(ok(await client(op.token).GET('/api/v1/products/{id}', { params: { path: { id: brought.id } } }))).to.include({ incoming: 4 });
    });

    it('get the list as without incoming= (ignored, as active= is); staff get it filtered', async () => {
      expect((await listed(buyer.token, plain.sku, true)).map((p) => p.id)).to.deep.equal([plain.id]);
      expect((await listed(buyer.token, brought.sku, false)).map((p) => p.id)).to.deep.equal([brought.id]);
      expect((await listed(op.token, plain.sku, true)).map((p) => p.id)).to.deep.equal([]);
      expect((await listed(op.token, brought.sku, true)).map((p) => p.id)).to.deep.equal([brought.id]);
    });
  });
});
