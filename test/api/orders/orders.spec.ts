import { expect } from 'chai';
import { rawRequest, ok, asAdmin, createUser, customer, createProduct, ADDRESS, placeOrder, placedOrder } from '../../support/api';
import { client } from '../../support/client';
import { query, waitFor } from '../../support/database';
import { Client } from 'pg';
import { h } from '../../support/hooks';

const stockOf = async (id: string) => (await query('SELECT on_hand, reserved FROM products WHERE id = $1', [id]))[0];

describe('Orders', () => {
  it('accepts product ids in upper case (UUIDs are case-insensitive) and still refuses a repeated product', async () => {
    const product = await createProduct({ initialStock: 5 });
    const buyer = await customer();
    const res = await placeOrder(buyer.token, [{ productId: product.id.toUpperCase(), quantity: 2 }]);
    expect(res.response.status).to.equal(201);
    expect(res.data?.items[0]?.productId).to.equal(product.id);
    const [row] = await query('SELECT reserved FROM products WHERE id = $1', [product.id]);
    expect(row.reserved).to.equal(2);
    const twice = await placeOrder(buyer.token, [
      { productId: product.id, quantity: 1 },
      { productId: product.id.toUpperCase(), quantity: 1 },
    ]);
    expect(twice.response.status).to.equal(400);
  });

  it('computes totals server-side with half-up VAT per line', async () => {
    const buyer = await customer();
    const a = await createProduct({ unitPriceCents: 333, vatRate: 22 });
    const b = await createProduct({ unitPriceCents: 250, vatRate: 10 });
    const res = await placeOrder(buyer.token, [
      { productId: a.id, quantity: 3 },
      { productId: b.id, quantity: 1 },
    ]);
    expect(res.response.status).to.equal(201);
    expect(res.data?.status).to.equal('pending_payment');
    expect(res.data?.number).to.match(/^QS-\d{4}-\d{6}$/);
    // 999 × 22 % = 219.78 → 220; 250 × 10 % = 25
    expect(res.data?.items[0]).to.include({ netCents: 999, vatCents: 220, grossCents: 1219, unitPriceCents: 333, vatRate: 22 });
    expect(res.data?.totals).to.deep.equal({ netCents: 1249, vatCents: 245, grossCents: 1494 });
    expect(res.data?.customerId).to.equal(buyer.id);
    expect((await stockOf(a.id)).reserved).to.equal(3);
  });

  it('numbers the millionth order with 7 digits instead of cutting it to 6 and repeating a number', async () => {
    const [{ last }] = await query('SELECT last_value::int AS last FROM order_number_seq');
    await query("SELECT setval('order_number_seq', 999999, false)");
    try {
      const buyer = await customer();
      const product = await createProduct({ initialStock: 10 });
      const body = { items: [{ productId: product.id, quantity: 1 }], shippingAddress: ADDRESS };
      const first = await client(buyer.token).POST('/api/v1/orders', { body });
      const second = await client(buyer.token).POST('/api/v1/orders', { body });
      expect([first.response.status, second.response.status]).to.deep.equal([201, 201]);
      expect(first.data?.number).to.match(/^QS-\d{4}-999999$/);
      expect(second.data?.number).to.match(/^QS-\d{4}-1000000$/);
      const stored = await query('SELECT number FROM orders WHERE id = ANY($1::uuid[]) ORDER BY number', [[first.data?.id, second.data?.id]]);
      expect(stored.map((r) => r.number)).to.deep.equal([first.data?.number, second.data?.number].sort());
    } finally {
      await query("SELECT setval('order_number_seq', $1)", [last]);
    }
  });

  it('refuses bad input with 400 and reserves nothing', async () => {
    const buyer = await customer();
    const p = await createProduct();
    const bad = [
      { items: [], shippingAddress: ADDRESS },
      { items: [{ productId: p.id, quantity: 0 }], shippingAddress: ADDRESS },
      { items: [{ productId: p.id, quantity: 10001 }], shippingAddress: ADDRESS },
      {
        items: [
          { productId: p.id, quantity: 1 },
          { productId: p.id, quantity: 2 },
        ],
        shippingAddress: ADDRESS,
      },
      { items: [{ productId: p.id, quantity: 1 }], shippingAddress: { ...ADDRESS, city: undefined } },
      { items: [{ productId: p.id, quantity: 1, unitPriceCents: 1 }], shippingAddress: ADDRESS },
      { items: [{ productId: p.id, quantity: 1 }], shippingAddress: ADDRESS, status: 'paid' },
      { items: [{ productId: p.id, quantity: 1 }], shippingAddress: ADDRESS, totals: { grossCents: 1 } },
      { items: [{ productId: p.id, quantity: 1 }], shippingAddress: ADDRESS, customerId: (await customer()).id },
    ];
    for (const body of bad) {
      // Bodies the contract refuses: only a raw request can send them.
      const res = await rawRequest('POST', '/api/v1/orders', { token: buyer.token, body });
      expect(res.status, JSON.stringify(body)).to.equal(400);
    }
    expect((await stockOf(p.id)).reserved).to.equal(0);
  });

  it('refuses an inactive product with 409', async () => {
    const buyer = await customer();
    const p = await createProduct();
    await query('UPDATE products SET active = false WHERE id = $1', [p.id]);
    const res = await placeOrder(buyer.token, [{ productId: p.id, quantity: 1 }]);
    expect(res.response.status).to.equal(409);
    expect(res.error?.code).to.equal('product-inactive');
  });

  it('names every short line with 409 insufficient-stock and reserves nothing', async () => {
    const buyer = await customer();
    const ok = await createProduct({ initialStock: 10 });
    const short = await createProduct({ initialStock: 2 });
    const res = await placeOrder(buyer.token, [
      { productId: ok.id, quantity: 5 },
      { productId: short.id, quantity: 3 },
    ]);
    expect(res.response.status).to.equal(409);
    expect(res.error?.code).to.equal('insufficient-stock');
    expect(res.error?.lines).to.deep.equal([{ productId: short.id, requested: 3, available: 2 }]);
    expect((await stockOf(ok.id)).reserved).to.equal(0);
    expect(await query('SELECT 1 FROM orders WHERE customer_id = $1', [buyer.id])).to.have.length(0);
  });

  it('never oversells: 60 concurrent orders for a product with 10 units sell exactly 10', async () => {
    const p = await createProduct({ initialStock: 10 });
    const buyers = await Promise.all(Array.from({ length: 6 }, () => customer()));
    const results = await Promise.all(Array.from({ length: 60 }, (_, i) => placeOrder(buyers[i % 6]!.token, [{ productId: p.id, quantity: 1 }])));
    const created = results.filter((r) => r.response.status === 201);
    expect(created).to.have.length(10);
    expect(results.filter((r) => r.response.status === 409)).to.have.length(50);
    expect(await stockOf(p.id)).to.deep.equal({ on_hand: 10, reserved: 10 });
    const [{ n }] = await query('SELECT coalesce(sum(quantity), 0)::int AS n FROM order_items WHERE product_id = $1', [p.id]);
    expect(n).to.equal(10);
  });

  it('never deadlocks when orders lock the same two products in opposite line order', async () => {
    const a = await createProduct({ initialStock: 1000 });
    const b = await createProduct({ initialStock: 1000 });
    const buyer = await customer();
    const results = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        placeOrder(
          buyer.token,
          i % 2
            ? [
                { productId: a.id, quantity: 1 },
                { productId: b.id, quantity: 1 },
              ]
            : [
                { productId: b.id, quantity: 1 },
                { productId: a.id, quantity: 1 },
              ],
        ),
      ),
    );
    expect(results.map((r) => r.response.status).every((s) => s === 201)).to.equal(true);
    expect((await stockOf(a.id)).reserved).to.equal(30);
    expect((await stockOf(b.id)).reserved).to.equal(30);
  });

  describe('Idempotency-Key', () => {
    it('replays the same request, refuses another body with 422 and scopes keys per user', async () => {
      const buyer = await customer();
      const other = await customer();
      const p = await createProduct({ initialStock: 10 });
      const body = { items: [{ productId: p.id, quantity: 2 }], shippingAddress: ADDRESS };
      const headers = { 'idempotency-key': 'order-abc-1' };
      const first = await client(buyer.token).POST('/api/v1/orders', { body, headers });
      const again = await client(buyer.token).POST('/api/v1/orders', { body, headers });
      expect(first.response.status).to.equal(201);
      expect(again.response.status).to.equal(201);
      expect(again.data).to.deep.equal(first.data);
      expect((await stockOf(p.id)).reserved).to.equal(2);
      const changed = await client(buyer.token).POST('/api/v1/orders', { body: { ...body, notes: 'different' }, headers });
      expect(changed.response.status).to.equal(422);
      const otherUser = await client(other.token).POST('/api/v1/orders', { body, headers });
      expect(otherUser.response.status).to.equal(201);
      expect(otherUser.data?.id).not.to.equal(first.data?.id);
    });

    it('answers concurrent duplicates by waiting for the first and replaying it: one order, every answer 201', async () => {
      const buyer = await customer();
      const p = await createProduct({ initialStock: 100 });
      const body = { items: [{ productId: p.id, quantity: 1 }], shippingAddress: ADDRESS };
      const results = await Promise.all(
        Array.from({ length: 5 }, () => client(buyer.token).POST('/api/v1/orders', { body, headers: { 'idempotency-key': 'same-time' } })),
      );
      expect(results.map((r) => r.response.status)).to.deep.equal([201, 201, 201, 201, 201]);
      expect(new Set(results.map((r) => r.data?.id)).size).to.equal(1);
      expect(results.filter((r) => r.response.headers.get('idempotent-replayed') === 'true')).to.have.length(4);
      expect((await stockOf(p.id)).reserved).to.equal(1);
    });

    it('holds a key only as long as the transaction that claimed it: a duplicate waits for it, and a dead one frees the key at once', async () => {
      const buyer = await customer();
      const p = await createProduct({ initialStock: 10 });
      const body = { items: [{ productId: p.id, quantity: 1 }], shippingAddress: ADDRESS };
      const send = (key: string) => client(buyer.token).POST('/api/v1/orders', { body, headers: { 'idempotency-key': key } });
      expect((await send('probe')).response.status).to.equal(201);
      const [{ request_hash: hash }] = await query("SELECT request_hash FROM idempotency_keys WHERE user_id = $1 AND key = 'probe'", [buyer.id]);
      // Another connection claims a key in a transaction it keeps open, as a request in flight does.
      const holder = new Client({ connectionString: h().database.url });
      // Listen before it is killed: the termination notice may arrive before the next line runs.
      holder.on('error', () => undefined);
      await holder.connect();
      const pid = (await holder.query('SELECT pg_backend_pid() AS pid')).rows[0].pid as number;
      await holder.query('BEGIN');
      await holder.query(
        `INSERT INTO idempotency_keys (user_id, scope, key, request_hash, state, expires_at)
         VALUES ($1, 'createOrder', 'held', $2, 'in_progress', now() + interval '1 day')`,
        [buyer.id, hash],
      );
      const waiting = send('held');
      await new Promise((r) => setTimeout(r, 300));
      expect((await stockOf(p.id)).reserved, 'the duplicate waits for the claim').to.equal(1);
      // The claiming process dies: PostgreSQL rolls its transaction back, and the waiting request runs.
      await query('SELECT pg_terminate_backend($1)', [pid]);
      const res = await waiting;
      expect(res.response.status).to.equal(201);
      expect(res.response.headers.get('idempotent-replayed')).to.equal(null);
      const [stored] = await query("SELECT state, response_body->>'id' AS id FROM idempotency_keys WHERE user_id = $1 AND key = 'held'", [buyer.id]);
      expect(stored).to.deep.equal({ state: 'completed', id: res.data?.id });
      expect((await stockOf(p.id)).reserved).to.equal(2);
      await holder.end().catch(() => undefined);
    });

    it('takes over an unfinished claim left committed by an earlier version (no more 409 for a minute)', async () => {
      const buyer = await customer();
      const p = await createProduct({ initialStock: 10 });
      const body = { items: [{ productId: p.id, quantity: 1 }], shippingAddress: ADDRESS };
      expect((await client(buyer.token).POST('/api/v1/orders', { body, headers: { 'idempotency-key': 'probe-2' } })).response.status).to.equal(201);
      await query(
        `INSERT INTO idempotency_keys (user_id, scope, key, request_hash, state, locked_at, expires_at)
         SELECT user_id, scope, 'left-over', request_hash, 'in_progress', now(), now() + interval '1 day'
           FROM idempotency_keys WHERE user_id = $1 AND key = 'probe-2'`,
        [buyer.id],
      );
      const res = await client(buyer.token).POST('/api/v1/orders', { body, headers: { 'idempotency-key': 'left-over' } });
      expect(res.response.status).to.equal(201);
      expect((await stockOf(p.id)).reserved).to.equal(2);
    });
  });

  it("hides another customer's order with 404 on get, history and cancel, and filters lists", async () => {
    const owner = await customer();
    const stranger = await customer();
    const p = await createProduct();
    const order = await placedOrder(owner.token, [{ productId: p.id, quantity: 1 }]);
    expect((await client(stranger.token).GET('/api/v1/orders/{id}', { params: { path: { id: order.id } } })).response.status).to.equal(404);
    expect((await client(stranger.token).GET('/api/v1/orders/{id}/history', { params: { path: { id: order.id } } })).response.status).to.equal(404);
    expect((await client(stranger.token).POST('/api/v1/orders/{id}/cancel', { params: { path: { id: order.id } }, body: {} })).response.status).to.equal(404);
    const list = await client(stranger.token).GET('/api/v1/orders');
    expect(list.data?.items.map((o) => o.id)).not.to.include(order.id);
    const mine = await client(owner.token).GET('/api/v1/orders');
    expect(mine.data?.items.map((o) => o.id)).to.include(order.id);
  });

  it("lets staff order on a customer's behalf and filter by customer", async () => {
    const op = await createUser('operator');
    const buyer = await customer();
    const p = await createProduct();
    const res = await placeOrder(op.token, [{ productId: p.id, quantity: 1 }], { customerId: buyer.id });
    expect(res.response.status).to.equal(201);
    expect(res.data?.customerId).to.equal(buyer.id);
    const list = await client(op.token).GET('/api/v1/orders', { params: { query: { customerId: buyer.id } } });
    expect(list.data?.items.map((o) => o.id)).to.deep.equal([res.data?.id]);
  });

  it('runs the full life to delivered, with history, a sale in the ledger and the events', async () => {
    const op = await createUser('operator');
    const buyer = await customer();
    const p = await createProduct({ initialStock: 20 });
    const order = await placedOrder(buyer.token, [{ productId: p.id, quantity: 4 }]);
    const pay = await client(op.token).POST('/api/v1/orders/{id}/payments', {
      params: { path: { id: order.id } },
      body: { provider: 'manual', reference: 'BONIFICO-1' },
    });
    expect(pay.response.status).to.equal(201);
    expect(pay.data).to.include({ status: 'captured', amountCents: order.totals.grossCents, provider: 'manual' });
    expect(
      (await client(op.token).POST('/api/v1/orders/{id}/status', { params: { path: { id: order.id } }, body: { status: 'in_preparation' } })).response.status,
    ).to.equal(200);
    const ship = await client(op.token).POST('/api/v1/orders/{id}/shipments', {
      params: { path: { id: order.id } },
      body: { carrier: 'manual', carrierName: 'BRT', trackingCode: 'BRT123' },
    });
    expect(ship.response.status).to.equal(201);
    expect(ship.data).to.include({ status: 'in_transit', trackingCode: 'BRT123' });
    expect(await stockOf(p.id)).to.deep.equal({ on_hand: 16, reserved: 0 });
    const sale = await query("SELECT delta, order_id FROM stock_movements WHERE product_id = $1 AND type = 'sale'", [p.id]);
    expect(sale).to.deep.equal([{ delta: -4, order_id: order.id }]);
    const delivered = await client(op.token).POST('/api/v1/orders/{id}/status', { params: { path: { id: order.id } }, body: { status: 'delivered' } });
    expect(delivered.data?.status).to.equal('delivered');
    const full = await client(buyer.token).GET('/api/v1/orders/{id}', { params: { path: { id: order.id } } });
    expect(full.data?.payments).to.have.length(1);
    expect(full.data?.shipments[0]?.status).to.equal('delivered');
    const history = await client(buyer.token).GET('/api/v1/orders/{id}/history', { params: { path: { id: order.id } } });
    expect(history.data?.items.map((e) => [e.from, e.to])).to.deep.equal([
      [null, 'pending_payment'],
      ['pending_payment', 'paid'],
      ['paid', 'in_preparation'],
      ['in_preparation', 'shipped'],
      ['shipped', 'delivered'],
    ]);
    const events = await query("SELECT type FROM events WHERE data->>'orderId' = $1 ORDER BY id", [order.id]);
    expect(events.map((e) => e.type)).to.deep.equal([
      'order.created',
      'payment.updated',
      'order.status_changed',
      'order.status_changed',
      'shipment.updated',
      'order.status_changed',
      'order.status_changed',
    ]);
  });

  it('refuses every illegal transition with 409 naming the allowed next states', async () => {
    const op = await createUser('operator');
    const buyer = await customer();
    const p = await createProduct();
    const order = await placedOrder(buyer.token, [{ productId: p.id, quantity: 1 }]);
    const res = await client(op.token).POST('/api/v1/orders/{id}/status', { params: { path: { id: order.id } }, body: { status: 'delivered' } });
    expect(res.response.status).to.equal(409);
    expect(res.error).to.include({ code: 'illegal-transition', currentStatus: 'pending_payment' });
    expect(res.error?.allowedStatuses).to.deep.equal(['paid', 'cancelled']);
    expect(
      (await client(op.token).POST('/api/v1/orders/{id}/status', { params: { path: { id: order.id } }, body: { status: 'in_preparation' } })).response.status,
    ).to.equal(409);
    expect(
      (
        await client(op.token).POST('/api/v1/orders/{id}/shipments', {
          params: { path: { id: order.id } },
          body: { carrier: 'manual', carrierName: 'X', trackingCode: 'Y' },
        })
      ).response.status,
    ).to.equal(409);
    // 'paid' is not a status staff may set (the contract's enum): a raw request sends it anyway.
    expect((await rawRequest('POST', `/api/v1/orders/${order.id}/status`, { token: op.token, body: { status: 'paid' } })).status).to.equal(400);
    expect(
      (await client(buyer.token).POST('/api/v1/orders/{id}/status', { params: { path: { id: order.id } }, body: { status: 'cancelled' } })).response.status,
    ).to.equal(403);
  });

  it('lets only one of two concurrent transitions win', async () => {
    const op = await createUser('operator');
    const buyer = await customer();
    const p = await createProduct();
    const order = await placedOrder(buyer.token, [{ productId: p.id, quantity: 1 }]);
    const results = await Promise.all([
      client(op.token).POST('/api/v1/orders/{id}/payments', { params: { path: { id: order.id } }, body: { provider: 'manual' } }),
      client(op.token).POST('/api/v1/orders/{id}/payments', { params: { path: { id: order.id } }, body: { provider: 'manual' } }),
      client(buyer.token).POST('/api/v1/orders/{id}/cancel', { params: { path: { id: order.id } }, body: {} }),
    ]);
    expect(results.filter((r) => r.response.status === 200 || r.response.status === 201)).to.have.length(1);
    const history = await query('SELECT count(*)::int AS n FROM order_status_history WHERE order_id = $1', [order.id]);
    expect(history[0].n).to.equal(2);
  });

  it('releases the reservation on cancel; a customer may cancel only while unpaid', async () => {
    const op = await createUser('operator');
    const buyer = await customer();
    const p = await createProduct({ initialStock: 10 });
    const first = await placedOrder(buyer.token, [{ productId: p.id, quantity: 3 }]);
    const cancelled = await client(buyer.token).POST('/api/v1/orders/{id}/cancel', { params: { path: { id: first.id } }, body: { reason: 'changed my mind' } });
    expect(cancelled.response.status).to.equal(200);
    expect(cancelled.data?.status).to.equal('cancelled');
    expect((await stockOf(p.id)).reserved).to.equal(0);
    const second = await placedOrder(buyer.token, [{ productId: p.id, quantity: 2 }]);
    await client(op.token).POST('/api/v1/orders/{id}/payments', { params: { path: { id: second.id } }, body: { provider: 'manual' } });
    expect((await client(buyer.token).POST('/api/v1/orders/{id}/cancel', { params: { path: { id: second.id } }, body: {} })).response.status).to.equal(409);
    const byStaff = await client(op.token).POST('/api/v1/orders/{id}/cancel', { params: { path: { id: second.id } }, body: { reason: 'out of service area' } });
    expect(byStaff.response.status).to.equal(200);
    expect(byStaff.data?.payments[0]?.status).to.equal('refunded');
    expect(await stockOf(p.id)).to.deep.equal({ on_hand: 10, reserved: 0 });
  });

  it('cancels an unpaid order past reservedUntil with reason payment-timeout and releases its stock', async () => {
    const buyer = await customer();
    const p = await createProduct({ initialStock: 5 });
    const order = await placedOrder(buyer.token, [{ productId: p.id, quantity: 5 }]);
    expect(Date.parse(order.reservedUntil ?? '') - Date.parse(order.createdAt)).to.be.closeTo(30 * 60_000, 2000);
    await query("UPDATE orders SET reserved_until = now() - interval '1 second' WHERE id = $1", [order.id]);
    await waitFor(async () => (await query('SELECT status FROM orders WHERE id = $1', [order.id]))[0].status === 'cancelled', 5000, 'expiry');
    const history = await client(buyer.token).GET('/api/v1/orders/{id}/history', { params: { path: { id: order.id } } });
    expect(history.data?.items.at(-1)).to.include({ from: 'pending_payment', to: 'cancelled', reason: 'payment-timeout', actorRole: 'system' });
    expect((await stockOf(p.id)).reserved).to.equal(0);
  });

  it('replays a manual payment with the same Idempotency-Key instead of paying twice', async () => {
    const op = await createUser('operator');
    const buyer = await customer();
    const p = await createProduct();
    const order = await placedOrder(buyer.token, [{ productId: p.id, quantity: 1 }]);
    const headers = { 'idempotency-key': `pay-${order.id}` };
    const a = await client(op.token).POST('/api/v1/orders/{id}/payments', { params: { path: { id: order.id } }, body: { provider: 'manual' }, headers });
    const b = await client(op.token).POST('/api/v1/orders/{id}/payments', { params: { path: { id: order.id } }, body: { provider: 'manual' }, headers });
    expect(a.response.status).to.equal(201);
    expect(b.response.status).to.equal(201);
    expect(b.data?.id).to.equal(a.data?.id);
    expect(await query('SELECT 1 FROM payments WHERE order_id = $1', [order.id])).to.have.length(1);
  });

  it('pages staff order lists newest first with status filter', async () => {
    const token = await asAdmin();
    const buyer = await customer();
    const p = await createProduct();
    const ids: string[] = [];
    for (let i = 0; i < 5; i += 1) ids.push((await placedOrder(buyer.token, [{ productId: p.id, quantity: 1 }])).id);
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const res = await client(token).GET('/api/v1/orders', { params: { query: { customerId: buyer.id, status: ['pending_payment'], limit: 2, cursor } } });
      seen.push(...ok(res).items.map((o) => o.id));
      cursor = res.data?.nextCursor ?? undefined;
    } while (cursor);
    expect(seen).to.deep.equal([...ids].reverse());
  });
});
