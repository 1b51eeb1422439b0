import { expect } from 'chai';
import { rawRequest, ok, problemOf, asAdmin, createUser, customer, createProduct, placeOrder, type Schemas } from '../../support/api';
import { client } from '../../support/client';
import { query } from '../../support/database';

describe('Catalog and inventory', () => {
  it('creates a product with its first receipt and an ETag', async () => {
    const token = await asAdmin();
    const res = await client(token).POST('/api/v1/products', {
      body: { sku: `Pen-${Date.now()}`, name: 'Pen', unitPriceCents: 150, initialStock: 40, reorderLevel: 5 },
    });
    expect(res.response.status).to.equal(201);
    expect(res.response.headers.get('etag')).to.be.a('string');
    expect(res.data).to.include({ onHand: 40, reserved: 0, available: 40, vatRate: 22, active: true });
    const moves = await query('SELECT type, delta, on_hand_after FROM stock_movements WHERE product_id = $1', [res.data?.id]);
    expect(moves).to.deep.equal([{ type: 'receipt', delta: 40, on_hand_after: 40 }]);
  });

  it('refuses each out-of-bounds field with 400 naming it, storing nothing', async () => {
    const token = await asAdmin();
    const cases: [Record<string, unknown>, string][] = [
      [{ sku: 'bad sku!', name: 'X', unitPriceCents: 1 }, 'body.sku'],
      [{ sku: 'A'.repeat(65), name: 'X', unitPriceCents: 1 }, 'body.sku'],
      [{ sku: 'OK-1', name: 'X', unitPriceCents: -1 }, 'body.unitPriceCents'],
      [{ sku: 'OK-2', name: 'X', unitPriceCents: 1.5 }, 'body.unitPriceCents'],
      [{ sku: 'OK-3', name: 'X', unitPriceCents: 1, vatRate: 21 }, 'body.vatRate'],
      [{ sku: 'OK-4', name: 'X', unitPriceCents: 1, reorderLevel: -1 }, 'body.reorderLevel'],
      [{ sku: 'OK-5', name: 'X', unitPriceCents: 1, initialStock: -3 }, 'body.initialStock'],
      [{ sku: 'OK-6', name: 'X', unitPriceCents: 1, onHand: 5 }, 'body.onHand'],
    ];
    for (const [body, path] of cases) {
      // Out-of-contract bodies: only a raw request sends them.
      const res = await rawRequest('POST', '/api/v1/products', { token, body });
      expect(res.status, JSON.stringify(body)).to.equal(400);
      expect(
        problemOf(res)
          .errors?.map((e) => e.path)
          .join(),
        JSON.stringify(body),
      ).to.include(path);
    }
    expect(await query("SELECT 1 FROM products WHERE sku LIKE 'OK-%'")).to.have.length(0);
  });

  it('refuses a duplicate SKU in another case with 409', async () => {
    const p = await createProduct({ sku: `Dup-${Date.now()}` });
    const res = await client(await asAdmin()).POST('/api/v1/products', { body: { sku: p.sku.toUpperCase(), name: 'Y', unitPriceCents: 1 } });
    expect(res.response.status).to.equal(409);
    expect(res.error?.code).to.equal('sku-taken');
  });

  it('applies PATCH only with a current If-Match: 200, 412 when stale, 428 when missing', async () => {
    const token = await asAdmin();
    const p = await createProduct();
    const read = await client(token).GET('/api/v1/products/{id}', { params: { path: { id: p.id } } });
    const etag = read.response.headers.get('etag') as string;
    // The contract requires If-Match: its absence is sent raw.
    expect((await rawRequest('PATCH', `/api/v1/products/${p.id}`, { token, body: { name: 'Renamed' } })).status).to.equal(428);
    const ok = await client(token).PATCH('/api/v1/products/{id}', { params: { path: { id: p.id }, header: { 'If-Match': etag } }, body: { name: 'Renamed' } });
    expect(ok.response.status).to.equal(200);
    expect(ok.data?.name).to.equal('Renamed');
    expect(ok.response.headers.get('etag')).not.to.equal(etag);
    const stale = await client(token).PATCH('/api/v1/products/{id}', { params: { path: { id: p.id }, header: { 'If-Match': etag } }, body: { name: 'Again' } });
    expect(stale.response.status).to.equal(412);
    expect((await query('SELECT name FROM products WHERE id = $1', [p.id]))[0].name).to.equal('Renamed');
    const stock = await rawRequest('PATCH', `/api/v1/products/${p.id}`, {
      token,
      body: { onHand: 1 },
      headers: { 'if-match': ok.response.headers.get('etag') as string },
    });
    expect(stock.status).to.equal(400);
  });

  it('pages through products with no duplicates and no gaps, in every sort', async () => {
    const category = `cat-${Date.now()}`;
    for (let i = 0; i < 7; i += 1) await createProduct({ category, initialStock: i * 3, name: `Item ${i % 3}` });
    const token = await asAdmin();
    for (const sort of ['name', '-name', 'sku', 'createdAt', '-available'] as const) {
      const ids: string[] = [];
      let cursor: string | undefined;
      do {
        const res = await client(token).GET('/api/v1/products', { params: { query: { category, limit: 3, sort, cursor } } });
        expect(res.response.status).to.equal(200);
        ids.push(...ok(res).items.map((p) => p.id));
        cursor = res.data?.nextCursor ?? undefined;
      } while (cursor);
      expect(ids, sort).to.have.length(7);
      expect(new Set(ids).size, sort).to.equal(7);
    }
    expect((await client(token).GET('/api/v1/products', { params: { query: { limit: 101 } } })).response.status).to.equal(400);
  });

  it('filters by q and lowStock, and hides archived products from customers', async () => {
    const token = await asAdmin();
    const stamp = Date.now();
    const low = await createProduct({ name: `Lowish ${stamp}`, initialStock: 2, reorderLevel: 5 });
    const plenty = await createProduct({ name: `Plenty ${stamp}`, initialStock: 50, reorderLevel: 5 });
    const byName = await client(token).GET('/api/v1/products', { params: { query: { q: String(stamp), lowStock: true } } });
    expect(byName.data?.items.map((p) => p.id)).to.deep.equal([low.id]);
    const buyer = await customer();
    await placeOrder(buyer.token, [{ productId: plenty.id, quantity: 1 }]);
    expect((await client(token).DELETE('/api/v1/products/{id}', { params: { path: { id: plenty.id } } })).response.status).to.equal(204);
    expect((await query('SELECT active FROM products WHERE id = $1', [plenty.id]))[0].active).to.equal(false);
    const seenByCustomer = await client(buyer.token).GET('/api/v1/products', { params: { query: { q: String(stamp) } } });
    expect(seenByCustomer.data?.items.map((p) => p.id)).to.deep.equal([low.id]);
    const seenByStaff = await client(token).GET('/api/v1/products', { params: { query: { q: String(stamp), active: false } } });
    expect(seenByStaff.data?.items.map((p) => p.id)).to.deep.equal([plenty.id]);
    expect((await client(token).DELETE('/api/v1/products/{id}', { params: { path: { id: low.id } } })).response.status).to.equal(204);
    expect(await query('SELECT 1 FROM products WHERE id = $1', [low.id])).to.have.length(0);
  });

  it('keeps onHand equal to the sum of the ledger and refuses going negative with 409', async () => {
    const token = await asAdmin();
    const p = await createProduct({ initialStock: 10 });
    const moves: Schemas['CreateStockMovementRequest'][] = [
      { type: 'receipt', delta: 5, reason: 'delivery' },
      { type: 'damage', delta: -2, reason: 'broken' },
      { type: 'count', delta: -1, reason: 'stocktake' },
      { type: 'adjustment', delta: 3, reason: 'found' },
    ];
    for (const m of moves)
      expect((await client(token).POST('/api/v1/products/{id}/stock-movements', { params: { path: { id: p.id } }, body: m })).response.status).to.equal(201);
    const refused = await client(token).POST('/api/v1/products/{id}/stock-movements', {
      params: { path: { id: p.id } },
      body: { type: 'adjustment', delta: -100, reason: 'x' },
    });
    expect(refused.response.status).to.equal(409);
    const [row] = await query(
      'SELECT p.on_hand, (SELECT sum(delta)::int FROM stock_movements m WHERE m.product_id = p.id) AS ledger FROM products p WHERE id = $1',
      [p.id],
    );
    expect(row.on_hand).to.equal(15);
    expect(row.ledger).to.equal(15);
    const ledger = await client(token).GET('/api/v1/products/{id}/stock-movements', { params: { path: { id: p.id }, query: { limit: 2 } } });
    expect(ledger.data?.items[0]).to.include({ type: 'adjustment', delta: 3, onHandAfter: 15 });
    expect(ledger.data?.nextCursor).to.be.a('string');
  });

  it('refuses a movement below the reserved quantity with 409', async () => {
    const token = await asAdmin();
    const p = await createProduct({ initialStock: 10 });
    const buyer = await customer();
    expect((await placeOrder(buyer.token, [{ productId: p.id, quantity: 8 }])).response.status).to.equal(201);
    const res = await client(token).POST('/api/v1/products/{id}/stock-movements', {
      params: { path: { id: p.id } },
      body: { type: 'damage', delta: -3, reason: 'x' },
    });
    expect(res.response.status).to.equal(409);
    expect(res.error?.code).to.equal('stock-below-reserved');
  });

  it('loses no update under 50 concurrent movements on one product', async () => {
    const token = await asAdmin();
    const p = await createProduct({ initialStock: 100 });
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        client(token).POST('/api/v1/products/{id}/stock-movements', {
          params: { path: { id: p.id } },
          body: { type: i % 2 ? 'receipt' : 'adjustment', delta: i % 2 ? 3 : -1, reason: `c${i}` },
        }),
      ),
    );
    expect(results.every((r) => r.response.status === 201)).to.equal(true);
    const [row] = await query('SELECT on_hand FROM products WHERE id = $1', [p.id]);
    expect(row.on_hand).to.equal(100 + 25 * 3 - 25);
  });

  it('records one low-stock event when available crosses the reorder level', async () => {
    const token = await asAdmin();
    const p = await createProduct({ initialStock: 10, reorderLevel: 5 });
    for (const delta of [-3, -3, -1]) {
      await client(token).POST('/api/v1/products/{id}/stock-movements', {
        params: { path: { id: p.id } },
        body: { type: 'adjustment', delta, reason: 'sell-off' },
      });
    }
    const events = await query("SELECT data FROM events WHERE type = 'inventory.low_stock' AND data->>'productId' = $1", [p.id]);
    expect(events).to.have.length(1);
    expect(events[0].data).to.include({ productId: p.id, sku: p.sku, available: 4, reorderLevel: 5 });
  });

  it('forbids writes to customers and operators may write', async () => {
    const cust = await customer();
    const op = await createUser('operator');
    const p = await createProduct();
    expect(
      (
        await client(cust.token).POST('/api/v1/products/{id}/stock-movements', {
          params: { path: { id: p.id } },
          body: { type: 'receipt', delta: 1, reason: 'x' },
        })
      ).response.status,
    ).to.equal(403);
    expect((await client(cust.token).DELETE('/api/v1/products/{id}', { params: { path: { id: p.id } } })).response.status).to.equal(403);
    expect(
      (
        await client(op.token).POST('/api/v1/products/{id}/stock-movements', {
          params: { path: { id: p.id } },
          body: { type: 'receipt', delta: 1, reason: 'x' },
        })
      ).response.status,
    ).to.equal(201);
  });
});
