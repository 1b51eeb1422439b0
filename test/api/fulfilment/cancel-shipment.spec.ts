import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { asAdmin, ok, operator, rawRequest } from '../../support/api';
import { client } from '../../support/client';
import { query } from '../../support/database';
import { FakeEasyPost } from '../../support/fakes/easypost.fake';
import { easypostWebhook } from '../integrations/helpers';
import { assertEventsMatchAsyncApi, assertStockInvariant, countsOf, eventsOf, getOrder, movementsOf, preparedOrder, shipManually, stockOf } from './helpers';

async function cancelShipment(orderId: string, shipmentId: string, options: { token?: string; key?: string; reason?: string } = {}) {
  return client(options.token ?? (await asAdmin())).POST('/api/v1/orders/{id}/shipments/{shipmentId}/cancel', {
    params: { path: { id: orderId, shipmentId } },
    body: options.reason ? { reason: options.reason } : {},
    headers: options.key ? { 'idempotency-key': options.key } : {},
  });
}

describe('Cancelling a shipment', function () {
  // Many requests each, on a shared machine: more than mocha's default 20 s when it is busy.
  this.timeout(60_000);
  it('puts a cancelled shipment’s units back to ship (reserved again, the sale reversed by a compensating movement), and they ship again', async () => {
    const { order, products } = await preparedOrder([{ quantity: 10 }, { quantity: 2 }]);
    const [paper, pens] = [products[0]!.id, products[1]!.id];
    const shipment = ok(await shipManually(order.id, [{ productId: paper, quantity: 4 }]));
    expect(await stockOf(paper)).to.deep.equal({ on_hand: 46, reserved: 6 });

    const key = randomUUID();
    const res = await cancelShipment(order.id, shipment.id, { key, reason: 'wrong paper packed' });
    expect(res.response.status).to.equal(200);
    expect(res.data?.status).to.equal('in_preparation');
    expect(res.data?.shipments[0]).to.include({ id: shipment.id, status: 'cancelled' });
    expect(res.data?.items.map((i) => i.shippedQuantity)).to.deep.equal([0, 0]);
    expect(await stockOf(paper)).to.deep.equal({ on_hand: 50, reserved: 10 });
    // The ledger keeps the sale and its reversal: never a deleted row.
    expect((await movementsOf(paper)).map((m) => [m.type, m.delta, m.on_hand_after])).to.deep.equal([
      ['receipt', 50, 50],
      ['sale', -4, 46],
      ['sale', 4, 50],
    ]);
    const [cancelled] = (await eventsOf(order.id, 'shipment.updated')).slice(-1);
    expect(cancelled).to.deep.include({ shipmentId: shipment.id, status: 'cancelled', lines: [{ productId: paper, quantity: 4 }] });
    const [back] = (await eventsOf(order.id, 'order.status_changed')).slice(-1);
    expect(back).to.include({ from: 'partially_shipped', to: 'in_preparation', shipmentId: shipment.id, reason: 'wrong paper packed' });

    const replay = await cancelShipment(order.id, shipment.id, { key, reason: 'wrong paper packed' });
    expect(replay.response.status).to.equal(200);
    expect(replay.response.headers.get('idempotent-replayed')).to.equal('true');
    expect((await movementsOf(paper)).filter((m) => m.delta === 4 && m.type === 'sale')).to.have.length(1);

    const again = await shipManually(order.id);
    expect(again.response.status).to.equal(201);
    expect(again.data?.lines).to.have.deep.members([
      { productId: paper, quantity: 10 },
      { productId: pens, quantity: 2 },
    ]);
    expect((await getOrder(order.id)).status).to.equal('shipped');
    expect(await stockOf(paper)).to.deep.equal({ on_hand: 40, reserved: 0 });
    await assertStockInvariant([paper, pens]);
    expect(await assertEventsMatchAsyncApi(order.id)).to.be.greaterThan(8);
  });

  it('takes a shipped order back to partially_shipped when one of its shipments is cancelled', async () => {
    const { order, products } = await preparedOrder([{ quantity: 10 }]);
    const id = products[0]!.id;
    ok(await shipManually(order.id, [{ productId: id, quantity: 4 }]));
    const last = ok(await shipManually(order.id, [{ productId: id, quantity: 6 }]));
    expect((await getOrder(order.id)).status).to.equal('shipped');
    const res = await cancelShipment(order.id, last.id);
    expect(res.data?.status).to.equal('partially_shipped');
    expect(await countsOf(order.id)).to.deep.equal([{ product_id: id, quantity: 10, shipped_quantity: 4, cancelled_quantity: 0 }]);
    expect(await stockOf(id)).to.deep.equal({ on_hand: 46, reserved: 6 });
    await assertStockInvariant([id]);
  });

  it('refuses a delivered or already cancelled shipment (409), another order’s or an unknown one (404), bad input (400) and a customer (403), changing nothing', async () => {
    const admin = await asAdmin();
    const { order, products, buyer } = await preparedOrder([{ quantity: 3 }]);
    const other = await preparedOrder([{ quantity: 1 }]);
    const first = ok(await shipManually(order.id, [{ productId: products[0]!.id, quantity: 1 }]));
    const otherShipment = ok(await shipManually(other.order.id));
    expect((await cancelShipment(order.id, otherShipment.id)).response.status).to.equal(404);
    expect((await cancelShipment(order.id, randomUUID())).response.status).to.equal(404);
    expect((await cancelShipment(order.id, first.id, { token: buyer.token })).response.status).to.equal(403);
    expect((await rawRequest('POST', `/api/v1/orders/${order.id}/shipments/not-a-uuid/cancel`, { token: admin, body: {} })).status).to.equal(400);
    expect(
      (await rawRequest('POST', `/api/v1/orders/${order.id}/shipments/${first.id}/cancel`, { token: admin, body: { status: 'cancelled' } })).status,
    ).to.equal(400);
    expect((await rawRequest('POST', `/api/v1/orders/${order.id}/shipments/${first.id}/cancel`, { token: admin, body: { reason: '' } })).status).to.equal(400);
    expect(await countsOf(order.id)).to.deep.equal([{ product_id: products[0]!.id, quantity: 3, shipped_quantity: 1, cancelled_quantity: 0 }]);

    ok(await cancelShipment(order.id, first.id));
    const twice = await cancelShipment(order.id, first.id);
    expect(twice.response.status).to.equal(409);
    expect(twice.error).to.include({ code: 'shipment-not-cancellable', shipmentStatus: 'cancelled' });

    // Delivered: staff mark the whole order delivered, its shipments with it.
    ok(await client(admin).POST('/api/v1/orders/{id}/status', { params: { path: { id: other.order.id } }, body: { status: 'delivered' } }));
    const delivered = await cancelShipment(other.order.id, otherShipment.id);
    expect(delivered.response.status).to.equal(409);
    expect(delivered.error).to.include({ code: 'shipment-not-cancellable', shipmentStatus: 'delivered' });
    expect((await getOrder(other.order.id)).status).to.equal('delivered');
    await assertStockInvariant([products[0]!.id, other.products[0]!.id]);
  });

  it('lets one of two concurrent cancels of a shipment win (200, 409), reversing its sale once', async () => {
    const { order, products } = await preparedOrder([{ quantity: 5 }]);
    const id = products[0]!.id;
    const shipment = ok(await shipManually(order.id, [{ productId: id, quantity: 5 }]));
    const [one, two] = [await operator(), await operator()];
    const results = await Promise.all([
      cancelShipment(order.id, shipment.id, { token: one.token }),
      cancelShipment(order.id, shipment.id, { token: two.token }),
    ]);
    expect(results.map((r) => r.response.status).sort()).to.deep.equal([200, 409]);
    expect((await movementsOf(id)).filter((m) => m.type === 'sale').map((m) => m.delta)).to.deep.equal([-5, 5]);
    expect(await stockOf(id)).to.deep.equal({ on_hand: 50, reserved: 5 });
    expect((await getOrder(order.id)).status).to.equal('in_preparation');
  });

  describe('with EasyPost', () => {
    let easypost: FakeEasyPost;
    beforeEach(() => {
      easypost = new FakeEasyPost().install();
    });
    afterEach(() => easypost.uninstall());

    async function shippedWithEasyPost(quantity: number, ship: number) {
      const made = await preparedOrder([{ quantity }]);
      const res = await client(await asAdmin()).POST('/api/v1/orders/{id}/shipments', {
        params: { path: { id: made.order.id } },
        body: { carrier: 'easypost', parcel: { weightGrams: 1200 }, lines: [{ productId: made.products[0]!.id, quantity: ship }] },
      });
      expect(res.response.status, JSON.stringify(res.error)).to.equal(201);
      const fake = [...easypost.shipments.values()].find((s) => s.tracking_code === res.data?.trackingCode)!;
      return { ...made, shipment: ok(res), fake };
    }

    it('refunds the label at EasyPost before cancelling, and replays the same key without asking again', async () => {
      const { order, products, shipment, fake } = await shippedWithEasyPost(6, 2);
      expect((await getOrder(order.id)).status).to.equal('partially_shipped');
      const key = randomUUID();
      const res = await cancelShipment(order.id, shipment.id, { key });
      expect(res.response.status, JSON.stringify(res.error)).to.equal(200);
      expect(easypost.refundsOf(fake.id)).to.equal(1);
      expect(fake.refund_status).to.equal('submitted');
      expect(res.data?.status).to.equal('in_preparation');
      expect(await stockOf(products[0]!.id)).to.deep.equal({ on_hand: 50, reserved: 6 });
      const replay = await cancelShipment(order.id, shipment.id, { key });
      expect(replay.response.status).to.equal(200);
      expect(replay.response.headers.get('idempotent-replayed')).to.equal('true');
      expect(easypost.refundsOf(fake.id)).to.equal(1);
    });

    it('refuses once the carrier has the parcel (409 naming its tracking status), and answers 502 changing nothing when EasyPost fails', async () => {
      const taken = await shippedWithEasyPost(3, 3);
      expect((await easypostWebhook(easypost.trackerEvent(taken.fake, 'in_transit'))).response.status).to.equal(200);
      const refused = await cancelShipment(taken.order.id, taken.shipment.id);
      expect(refused.response.status).to.equal(409);
      expect(refused.error).to.include({ code: 'shipment-not-cancellable', shipmentStatus: 'in_transit', trackingStatus: 'in_transit' });
      expect(easypost.refundsOf(taken.fake.id)).to.equal(0);

      const failing = await shippedWithEasyPost(3, 1);
      easypost.faults.refund.push({ status: 500 });
      const res = await cancelShipment(failing.order.id, failing.shipment.id);
      expect(res.response.status).to.equal(502);
      expect((await query('SELECT status FROM shipments WHERE id = $1', [failing.shipment.id]))[0].status).to.equal('in_transit');
      expect(await countsOf(failing.order.id)).to.deep.equal([
        { product_id: failing.products[0]!.id, quantity: 3, shipped_quantity: 1, cancelled_quantity: 0 },
      ]);
      // Retried: EasyPost took the first request after all (its answer was lost), so the refund it
      // now refuses is checked against the shipment as it stands, and the cancel goes through.
      failing.fake.refund_status = 'submitted';
      const retried = await cancelShipment(failing.order.id, failing.shipment.id);
      expect(retried.response.status, JSON.stringify(retried.error)).to.equal(200);
      expect(retried.data?.status).to.equal('in_preparation');
      await assertStockInvariant([taken.products[0]!.id, failing.products[0]!.id]);
    });
  });
});
