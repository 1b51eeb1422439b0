import { expect } from 'chai';
import { api, asAdmin, createProduct, createUser, customer, placeOrder } from '../../support/api';
import { query } from '../../support/db';

describe('Catalog and inventory', () => {
  it('creates a product with its first receipt and an ETag', async () => {
    const token = await asAdmin();
    const res = await api('POST', '/api/v1/products', {
      token,
      body: { sku: `Pen-${Date.now()}`, name: 'Pen', unitPriceCents: 150, initialStock: 40, reorderLevel: 5 },
    });
    expect(res.status).to.equal(201);
    expect(res.headers.get('etag')).to.be.a('string');
    expect(res.body).to.include({ onHand: 40, reserved: 0, available: 40, vatRate: 22, active: true });
    const moves = await query('SELECT type, delta, on_hand_after FROM stock_movements WHERE product_id = $1', [res.body.id]);
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
      const res = await api('POST', '/api/v1/products', { token, body });
      expect(res.status, JSON.stringify(body)).to.equal(400);
      expect(res.body.errors.map((e: any) => e.path).join(), JSON.stringify(body)).to.include(path);
    }
    expect(await query("SELECT 1 FROM products WHERE sku LIKE 'OK-%'")).to.have.length(0);
  });

  it('refuses a duplicate SKU in another case with 409', async () => {
    const p = await createProduct({ sku: `Dup-${Date.now()}` });
    const res = await api('POST', '/api/v1/products', { token: await asAdmin(), body: { sku: p.sku.toUpperCase(), name: 'Y', unitPriceCents: 1 } });
    expect(res.status).to.equal(409);
    expect(res.body.code).to.equal('sku-taken');
  });

  it('applies PATCH only with a current If-Match: 200, 412 when stale, 428 when missing', async () => {
    const token = await asAdmin();
    const p = await createProduct();
    const read = await api('GET', `/api/v1/products/${p.id}`, { token });
    const etag = read.headers.get('etag') as string;
    expect((await api('PATCH', `/api/v1/products/${p.id}`, { token, body: { name: 'Renamed' } })).status).to.equal(428);
    const ok = await api('PATCH', `/api/v1/products/${p.id}`, { token, body: { name: 'Renamed' }, headers: { 'if-match': etag } });
    expect(ok.status).to.equal(200);
    expect(ok.body.name).to.equal('Renamed');
    expect(ok.headers.get('etag')).not.to.equal(etag);
    const stale = await api('PATCH', `/api/v1/products/${p.id}`, { token, body: { name: 'Again' }, headers: { 'if-match': etag } });
    expect(stale.status).to.equal(412);
    expect((await query('SELECT name FROM products WHERE id = $1', [p.id]))[0].name).to.equal('Renamed');
    const stock = await api('PATCH', `/api/v1/products/${p.id}`, { token, body: { onHand: 1 }, headers: { 'if-match': ok.headers.get('etag') as string } });
    expect(stock.status).to.equal(400);
  });

  it('pages through products with no duplicates and no gaps, in every sort', async () => {
    const category = `cat-${Date.now()}`;
    for (let i = 0; i < 7; i += 1) await createProduct({ category, initialStock: i * 3, name: `Item ${i % 3}` });
    const token = await asAdmin();
    for (const sort of ['name', '-name', 'sku', 'createdAt', '-available']) {
      const ids: string[] = [];
      let cursor: string | null = null;
      do {
        const res: any = await api('GET', `/api/v1/products?category=${category}&limit=3&sort=${sort}${cursor ? `&cursor=${cursor}` : ''}`, { token });
        expect(res.status).to.equal(200);
        ids.push(...res.body.items.map((p: any) => p.id));
        cursor = res.body.nextCursor;
      } while (cursor);
      expect(ids, sort).to.have.length(7);
      expect(new Set(ids).size, sort).to.equal(7);
    }
    expect((await api('GET', '/api/v1/products?limit=101', { token })).status).to.equal(400);
  });

  it('filters by q and lowStock, and hides archived products from customers', async () => {
    const token = await asAdmin();
    const stamp = Date.now();
    const low = await createProduct({ name: `Lowish ${stamp}`, initialStock: 2, reorderLevel: 5 });
    const plenty = await createProduct({ name: `Plenty ${stamp}`, initialStock: 50, reorderLevel: 5 });
    const byName = await api('GET', `/api/v1/products?q=${stamp}&lowStock=true`, { token });
    expect(byName.body.items.map((p: any) => p.id)).to.deep.equal([low.id]);
    const buyer = await customer();
    await placeOrder(buyer.token, [{ productId: plenty.id, quantity: 1 }]);
    expect((await api('DELETE', `/api/v1/products/${plenty.id}`, { token })).status).to.equal(204);
    expect((await query('SELECT active FROM products WHERE id = $1', [plenty.id]))[0].active).to.equal(false);
    const seenByCustomer = await api('GET', `/api/v1/products?q=${stamp}`, { token: buyer.token });
    expect(seenByCustomer.body.items.map((p: any) => p.id)).to.deep.equal([low.id]);
    const seenByStaff = await api('GET', `/api/v1/products?q=${stamp}&active=false`, { token });
    expect(seenByStaff.body.items.map((p: any) => p.id)).to.deep.equal([plenty.id]);
    expect((await api('DELETE', `/api/v1/products/${low.id}`, { token })).status).to.equal(204);
    expect(await query('SELECT 1 FROM products WHERE id = $1', [low.id])).to.have.length(0);
  });

  it('keeps onHand equal to the sum of the ledger and refuses going negative with 409', async () => {
    const token = await asAdmin();
    const p = await createProduct({ initialStock: 10 });
    const moves = [
      { type: 'receipt', delta: 5, reason: 'delivery' },
      { type: 'damage', delta: -2, reason: 'broken' },
      { type: 'count', delta: -1, reason: 'stocktake' },
      { type: 'adjustment', delta: 3, reason: 'found' },
    ];
    for (const m of moves) expect((await api('POST', `/api/v1/products/${p.id}/stock-movements`, { token, body: m })).status).to.equal(201);
    const refused = await api('POST', `/api/v1/products/${p.id}/stock-movements`, { token, body: { type: 'adjustment', delta: -100, reason: 'x' } });
    expect(refused.status).to.equal(409);
    const [row] = await query(
      'SELECT p.on_hand, (SELECT sum(delta)::int FROM stock_movements m WHERE m.product_id = p.id) AS ledger FROM products p WHERE id = $1',
      [p.id],
    );
    expect(row.on_hand).to.equal(15);
    expect(row.ledger).to.equal(15);
    const ledger = await api('GET', `/api/v1/products/${p.id}/stock-movements?limit=2`, { token });
    expect(ledger.body.items[0]).to.include({ type: 'adjustment', delta: 3, onHandAfter: 15 });
    expect(ledger.body.nextCursor).to.be.a('string');
  });

  it('refuses a movement below the reserved quantity with 409', async () => {
    const token = await asAdmin();
    const p = await createProduct({ initialStock: 10 });
    const buyer = await customer();
    expect((await placeOrder(buyer.token, [{ productId: p.id, quantity: 8 }])).status).to.equal(201);
    const res = await api('POST', `/api/v1/products/${p.id}/stock-movements`, { token, body: { type: 'damage', delta: -3, reason: 'x' } });
    expect(res.status).to.equal(409);
    expect(res.body.code).to.equal('stock-below-reserved');
  });

  it('loses no update under 50 concurrent movements on one product', async () => {
    const token = await asAdmin();
    const p = await createProduct({ initialStock: 100 });
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        api('POST', `/api/v1/products/${p.id}/stock-movements`, { token, body: { type: i % 2 ? 'receipt' : 'adjustment', delta: i % 2 ? 3 : -1, reason: `c${i}` } }),
      ),
    );
    expect(results.every((r) => r.status === 201)).to.equal(true);
    const [row] = await query('SELECT on_hand FROM products WHERE id = $1', [p.id]);
    expect(row.on_hand).to.equal(100 + 25 * 3 - 25);
  });

  it('records one low-stock event when available crosses the reorder level', async () => {
    const token = await asAdmin();
    const p = await createProduct({ initialStock: 10, reorderLevel: 5 });
    for (const delta of [-3, -3, -1]) {
      await api('POST', `/api/v1/products/${p.id}/stock-movements`, { token, body: { type: 'adjustment', delta, reason: 'sell-off' } });
    }
    const events = await query("SELECT data FROM events WHERE type = 'inventory.low_stock' AND data->>'productId' = $1", [p.id]);
    expect(events).to.have.length(1);
    expect(events[0].data).to.include({ productId: p.id, sku: p.sku, available: 4, reorderLevel: 5 });
  });

  it('forbids writes to customers and operators may write', async () => {
    const cust = await customer();
    const op = await createUser('operator');
    const p = await createProduct();
    expect((await api('POST', `/api/v1/products/${p.id}/stock-movements`, { token: cust.token, body: { type: 'receipt', delta: 1, reason: 'x' } })).status).to.equal(403);
    expect((await api('DELETE', `/api/v1/products/${p.id}`, { token: cust.token })).status).to.equal(403);
    expect((await api('POST', `/api/v1/products/${p.id}/stock-movements`, { token: op.token, body: { type: 'receipt', delta: 1, reason: 'x' } })).status).to.equal(201);
  });
});
