import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { asAdmin, ok, operator, rawRequest, problemOf } from '../../support/api';
import { client } from '../../support/client';
import { query, waitFor } from '../../support/database';
import { h } from '../../support/hooks';
import { FakeEasyPost } from '../../support/fakes/easypost.fake';
import {
  assertEventsMatchAsyncApi,
  assertStockInvariant,
  countsOf,
  eventsOf,
  getOrder,
  historyOf,
  movementsOf,
  preparedOrder,
  shipManually,
  stockOf,
} from './helpers';

describe('Partial shipments', function () {
  // Many requests each, on a shared machine: more than mocha's default 20 s when it is busy.
  this.timeout(60_000);
  it('ships 4 of 10 + 5 + 2 (partially_shipped, on hand and reserved −4), then the rest without lines (shipped)', async () => {
    const { order, products } = await preparedOrder([{ quantity: 10 }, { quantity: 5 }, { quantity: 2 }]);
    const [paper, pens, folders] = products as [(typeof products)[0], (typeof products)[0], (typeof products)[0]];
    const before = await stockOf(paper.id);
    expect(before).to.deep.equal({ on_hand: 50, reserved: 10 });

    const first = await shipManually(order.id, [{ productId: paper.id, quantity: 4 }], { trackingCode: 'BRT-PART-1' });
    expect(first.response.status).to.equal(201);
    expect(first.data?.lines).to.deep.equal([{ productId: paper.id, quantity: 4 }]);
    expect(await stockOf(paper.id)).to.deep.equal({ on_hand: 46, reserved: 6 });
    expect(await stockOf(pens.id)).to.deep.equal({ on_hand: 50, reserved: 5 });
    expect((await movementsOf(paper.id)).at(-1)).to.deep.equal({ type: 'sale', delta: -4, on_hand_after: 46, order_id: order.id });
    expect(await movementsOf(pens.id)).to.have.length(1); // the initial receipt only
    const partly = await getOrder(order.id);
    expect(partly.status).to.equal('partially_shipped');
    expect(partly.items.map((i) => [i.quantity, i.shippedQuantity, i.cancelledQuantity])).to.deep.equal([
      [10, 4, 0],
      [5, 0, 0],
      [2, 0, 0],
    ]);
    expect(partly.shipments).to.have.length(1);
    expect(partly.shipments[0]).to.include({ id: first.data?.id, status: 'in_transit' });
    expect(await query('SELECT product_id, quantity FROM shipment_lines WHERE shipment_id = $1', [first.data?.id])).to.deep.equal([
      { product_id: paper.id, quantity: 4 },
    ]);

    const rest = await shipManually(order.id, undefined, { trackingCode: 'BRT-PART-2' });
    expect(rest.response.status).to.equal(201);
    expect(rest.data?.lines).to.have.deep.members([
      { productId: paper.id, quantity: 6 },
      { productId: pens.id, quantity: 5 },
      { productId: folders.id, quantity: 2 },
    ]);
    const shipped = await getOrder(order.id);
    expect(shipped.status).to.equal('shipped');
    expect(shipped.items.map((i) => i.shippedQuantity)).to.deep.equal([10, 5, 2]);
    expect(await stockOf(paper.id)).to.deep.equal({ on_hand: 40, reserved: 0 });
    expect(await stockOf(folders.id)).to.deep.equal({ on_hand: 48, reserved: 0 });
    expect((await movementsOf(paper.id)).filter((m) => m.type === 'sale').map((m) => m.delta)).to.deep.equal([-4, -6]);
    expect(await historyOf(order.id)).to.deep.equal([
      [null, 'pending_payment'],
      ['pending_payment', 'paid'],
      ['paid', 'in_preparation'],
      ['in_preparation', 'partially_shipped'],
      ['partially_shipped', 'shipped'],
    ]);
    await assertStockInvariant(products.map((p) => p.id));

    // The events carry the lines: each shipment its own, each status change every line's counts.
    const shipmentEvents = await eventsOf(order.id, 'shipment.updated');
    expect(shipmentEvents.map((e) => e['lines'])).to.deep.equal([[{ productId: paper.id, quantity: 4 }], rest.data?.lines]);
    const statusEvents = (await eventsOf(order.id, 'order.status_changed')).slice(-2);
    expect(statusEvents.map((e) => [e['from'], e['to'], e['shipmentId']])).to.deep.equal([
      ['in_preparation', 'partially_shipped', first.data?.id],
      ['partially_shipped', 'shipped', rest.data?.id],
    ]);
    expect(statusEvents[0]?.['lines']).to.deep.equal(
      [
        { productId: paper.id, quantity: 10, shippedQuantity: 4, cancelledQuantity: 0 },
        { productId: pens.id, quantity: 5, shippedQuantity: 0, cancelledQuantity: 0 },
        { productId: folders.id, quantity: 2, shippedQuantity: 0, cancelledQuantity: 0 },
      ].sort((a, b) => (a.productId < b.productId ? -1 : 1)),
    );
    expect(await assertEventsMatchAsyncApi(order.id)).to.be.greaterThan(6);
  });

  it('ships 2 of 3 units of a single line (partially_shipped), then the last one (shipped)', async () => {
    const { order, products } = await preparedOrder([{ quantity: 3 }]);
    const id = products[0]!.id;
    expect((await shipManually(order.id, [{ productId: id, quantity: 2 }])).response.status).to.equal(201);
    const partly = await getOrder(order.id);
    expect(partly.status).to.equal('partially_shipped');
    expect(partly.items[0]).to.include({ quantity: 3, shippedQuantity: 2, cancelledQuantity: 0 });
    expect(await stockOf(id)).to.deep.equal({ on_hand: 48, reserved: 1 });
    expect((await shipManually(order.id, [{ productId: id, quantity: 1 }])).response.status).to.equal(201);
    expect((await getOrder(order.id)).status).to.equal('shipped');
    expect(await stockOf(id)).to.deep.equal({ on_hand: 47, reserved: 0 });
  });

  it('announces every parcel: partially_shipped → partially_shipped for a further partial shipment, and an order_shipped mail each', async () => {
    const { order, products } = await preparedOrder([{ quantity: 4 }]);
    const id = products[0]!.id;
    expect((await shipManually(order.id, [{ productId: id, quantity: 2 }])).response.status).to.equal(201);
    expect((await getOrder(order.id)).status).to.equal('partially_shipped');
    const second = await shipManually(order.id, [{ productId: id, quantity: 1 }]);
    expect(second.response.status).to.equal(201);
    expect((await getOrder(order.id)).items[0]).to.include({ quantity: 4, shippedQuantity: 3, cancelledQuantity: 0 });
    expect((await historyOf(order.id)).slice(-2)).to.deep.equal([
      ['in_preparation', 'partially_shipped'],
      ['partially_shipped', 'partially_shipped'],
    ]);
    const [again] = (await eventsOf(order.id, 'order.status_changed')).slice(-1);
    expect(again).to.include({ from: 'partially_shipped', to: 'partially_shipped', shipmentId: second.data?.id });
    expect(await stockOf(id)).to.deep.equal({ on_hand: 47, reserved: 1 });
    expect((await shipManually(order.id, [{ productId: id, quantity: 1 }])).response.status).to.equal(201);
    expect((await getOrder(order.id)).status).to.equal('shipped');

    // One shipped mail per parcel (the fan-out reads the outbox after the commits).
    const mails = await waitFor(
      async () => {
        const rows = await query("SELECT id FROM email_messages WHERE order_id = $1 AND template = 'order_shipped'", [order.id]);
        return rows.length === 3 && rows;
      },
      10_000,
      'three order_shipped mails',
    );
    expect(mails).to.have.length(3);
  });

  it('refuses a product not on the order, a repeated product, 0, negative, fractional or over int32 with 400, and more than is left with 409 naming it; nothing ships', async () => {
    const { order, products } = await preparedOrder([{ quantity: 10 }, { quantity: 5 }]);
    const [a, b] = [products[0]!.id, products[1]!.id];
    const admin = await asAdmin();
    const send = (lines: unknown) =>
      rawRequest('POST', `/api/v1/orders/${order.id}/shipments`, { token: admin, body: { carrier: 'manual', carrierName: 'BRT', trackingCode: 'X1', lines } });
    for (const quantity of [0, -1, 1.5, 2147483648, '2', null]) {
      const res = await send([{ productId: a, quantity }]);
      expect(res.status, `quantity ${String(quantity)}`).to.equal(400);
      expect(problemOf(res).errors?.[0]?.path, `quantity ${String(quantity)}`).to.match(/lines\[0\]\.quantity/);
    }
    for (const lines of [[], [{ productId: 'not-a-uuid', quantity: 1 }], [{ productId: a }], [{ productId: a, quantity: 1, sku: 'x' }], 'all']) {
      expect((await send(lines)).status, JSON.stringify(lines)).to.equal(400);
    }
    const unknown = await send([{ productId: randomUUID(), quantity: 1 }]);
    expect(unknown.status).to.equal(400);
    expect(problemOf(unknown).errors).to.deep.equal([{ path: 'body.lines[0].productId', message: 'is not a product of this order' }]);
    const repeated = await send([
      { productId: b, quantity: 1 },
      { productId: b.toUpperCase(), quantity: 1 },
    ]);
    expect(repeated.status).to.equal(400);
    expect(problemOf(repeated).errors).to.deep.equal([{ path: 'body.lines[1].productId', message: 'repeats the product of lines[0]' }]);
    const over = await shipManually(order.id, [
      { productId: a, quantity: 10 },
      { productId: b, quantity: 6 },
    ]);
    expect(over.response.status).to.equal(409);
    expect(over.error).to.include({ code: 'over-shipment', productId: b, remainingQuantity: 5 });
    expect(await countsOf(order.id)).to.deep.equal([
      { product_id: a, quantity: 10, shipped_quantity: 0, cancelled_quantity: 0 },
      { product_id: b, quantity: 5, shipped_quantity: 0, cancelled_quantity: 0 },
    ]);
    expect(await query('SELECT id FROM shipments WHERE order_id = $1', [order.id])).to.deep.equal([]);
    expect(await stockOf(a)).to.deep.equal({ on_hand: 50, reserved: 10 });
    expect((await getOrder(order.id)).status).to.equal('in_preparation');
  });

  it('lets one of two operators shipping the last 6 units at once win (201, 409); the CHECK holds when the code is bypassed', async () => {
    const { order, products } = await preparedOrder([{ quantity: 10 }]);
    const id = products[0]!.id;
    ok(await shipManually(order.id, [{ productId: id, quantity: 4 }]));
    const [one, two] = [await operator(), await operator()];
    const results = await Promise.all([
      shipManually(order.id, [{ productId: id, quantity: 6 }], { token: one.token }),
      shipManually(order.id, [{ productId: id, quantity: 6 }], { token: two.token }),
    ]);
    expect(results.map((r) => r.response.status).sort()).to.deep.equal([201, 409]);
    const refused = results.find((r) => r.response.status === 409);
    expect(['illegal-transition', 'over-shipment']).to.include(refused?.error?.code);
    expect(await countsOf(order.id)).to.deep.equal([{ product_id: id, quantity: 10, shipped_quantity: 10, cancelled_quantity: 0 }]);
    expect(await stockOf(id)).to.deep.equal({ on_hand: 40, reserved: 0 });
    expect((await movementsOf(id)).filter((m) => m.type === 'sale').map((m) => m.delta)).to.deep.equal([-4, -6]);
    expect((await getOrder(order.id)).status).to.equal('shipped');

    // Bypassing the service: the database itself refuses a unit more than the line holds, or a negative count.
    for (const statement of [
      'UPDATE order_items SET shipped_quantity = shipped_quantity + 1 WHERE order_id = $1',
      'UPDATE order_items SET cancelled_quantity = 1 WHERE order_id = $1',
      'UPDATE order_items SET shipped_quantity = -1, cancelled_quantity = 0 WHERE order_id = $1',
    ]) {
      let error: { constraint?: string } | undefined;
      try {
        await h().db.query(statement, [order.id]);
      } catch (err) {
        error = err as { constraint?: string };
      }
      expect(error?.constraint, statement).to.match(/^order_items_(fulfilled_within_quantity|shipped_quantity_check|cancelled_quantity_check)$/);
    }
    let zero: { constraint?: string } | undefined;
    try {
      await h().db.query('INSERT INTO shipment_lines (shipment_id, product_id, quantity) SELECT id, $2, 0 FROM shipments WHERE order_id = $1 LIMIT 1', [
        order.id,
        randomUUID(),
      ]);
    } catch (err) {
      zero = err as { constraint?: string };
    }
    expect(zero?.constraint).to.match(/^shipment_lines_(quantity_check|product_id_fkey)$/);
  });

  it('replays the same shipment for the same Idempotency-Key (one shipment, one sale), and refuses the key with another body (422)', async () => {
    const { order, products } = await preparedOrder([{ quantity: 10 }]);
    const id = products[0]!.id;
    const key = randomUUID();
    const first = await shipManually(order.id, [{ productId: id, quantity: 3 }], { key, trackingCode: 'BRT-KEY' });
    const again = await shipManually(order.id, [{ productId: id, quantity: 3 }], { key, trackingCode: 'BRT-KEY' });
    expect([first.response.status, again.response.status]).to.deep.equal([201, 201]);
    expect(again.response.headers.get('idempotent-replayed')).to.equal('true');
    expect(again.data).to.deep.equal(first.data);
    const other = await shipManually(order.id, [{ productId: id, quantity: 2 }], { key, trackingCode: 'BRT-KEY' });
    expect(other.response.status).to.equal(422);
    expect(await query('SELECT id FROM shipments WHERE order_id = $1', [order.id])).to.have.length(1);
    expect((await movementsOf(id)).filter((m) => m.type === 'sale')).to.have.length(1);
  });

  it('refuses to ship a cancelled order, an unpaid one and one already shipped whole (409), and a customer (403)', async () => {
    const admin = await asAdmin();
    const cancelled = await preparedOrder([{ quantity: 2 }]);
    ok(await client(admin).POST('/api/v1/orders/{id}/cancel', { params: { path: { id: cancelled.order.id } }, body: { reason: 'duplicate' } }));
    const refused = await shipManually(cancelled.order.id);
    expect(refused.response.status).to.equal(409);
    expect(refused.error).to.include({ code: 'illegal-transition', currentStatus: 'cancelled' });
    expect((await shipManually(cancelled.order.id, [{ productId: cancelled.products[0]!.id, quantity: 1 }])).response.status).to.equal(409);
    expect(await countsOf(cancelled.order.id)).to.deep.equal([
      { product_id: cancelled.products[0]!.id, quantity: 2, shipped_quantity: 0, cancelled_quantity: 2 },
    ]);

    const unpaid = await preparedOrder([{ quantity: 2 }], { pay: 'none' });
    expect((await shipManually(unpaid.order.id)).response.status).to.equal(409);
    const whole = await preparedOrder([{ quantity: 2 }]);
    ok(await shipManually(whole.order.id));
    const twice = await shipManually(whole.order.id);
    expect(twice.error).to.include({ code: 'illegal-transition', currentStatus: 'shipped' });
    expect((await shipManually(whole.order.id, undefined, { token: whole.buyer.token })).response.status).to.equal(403);
    await assertStockInvariant([cancelled.products[0]!.id, unpaid.products[0]!.id, whole.products[0]!.id]);
  });
});

describe('Partial shipments with EasyPost', function () {
  // Many requests each, on a shared machine: more than mocha's default 20 s when it is busy.
  this.timeout(60_000);
  let easypost: FakeEasyPost;
  beforeEach(() => {
    easypost = new FakeEasyPost().install();
  });
  afterEach(() => easypost.uninstall());

  it('replays the same shipment for the same Idempotency-Key, sequential or concurrent, buying one label', async () => {
    const { order, products } = await preparedOrder([{ quantity: 6 }]);
    const id = products[0]!.id;
    const admin = await asAdmin();
    const key = randomUUID();
    const ship = () =>
      client(admin).POST('/api/v1/orders/{id}/shipments', {
        params: { path: { id: order.id } },
        body: { carrier: 'easypost', parcel: { weightGrams: 900 }, lines: [{ productId: id, quantity: 2 }] },
        headers: { 'idempotency-key': key },
      });
    const concurrent = await Promise.all([ship(), ship()]);
    const later = await ship();
    const answers = [...concurrent, later];
    expect(answers.map((a) => a.response.status)).to.deep.equal([201, 201, 201]);
    expect(new Set(answers.map((a) => a.data?.id)).size).to.equal(1);
    expect(later.response.headers.get('idempotent-replayed')).to.equal('true');
    expect(easypost.calls.filter((c) => c.path.endsWith('/buy'))).to.have.length(1);
    expect(await query('SELECT id FROM shipments WHERE order_id = $1', [order.id])).to.have.length(1);
    expect(await countsOf(order.id)).to.deep.equal([{ product_id: id, quantity: 6, shipped_quantity: 2, cancelled_quantity: 0 }]);
    expect((await getOrder(order.id)).status).to.equal('partially_shipped');
  });

  it('checks the lines before buying anything: more than is left buys no label', async () => {
    const { order, products } = await preparedOrder([{ quantity: 2 }]);
    const res = await client(await asAdmin()).POST('/api/v1/orders/{id}/shipments', {
      params: { path: { id: order.id } },
      body: { carrier: 'easypost', parcel: { weightGrams: 900 }, lines: [{ productId: products[0]!.id, quantity: 3 }] },
    });
    expect(res.response.status).to.equal(409);
    expect(res.error).to.include({ code: 'over-shipment', productId: products[0]!.id, remainingQuantity: 2 });
    expect(easypost.calls).to.have.length(0);
  });
});
