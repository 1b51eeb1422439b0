import { expect } from 'chai';
import { asAdmin, ok, rawRequest } from '../../support/api';
import { client } from '../../support/client';
import { query, waitFor } from '../../support/database';
import { FakeStripe } from '../../support/fakes/stripe.fake';
import { getOrder } from '../fulfilment/helpers';
import { intentOf, payWithStripe, stripeWebhook, unpaidOrder } from '../integrations/helpers';
import { askRefund } from '../refunds/helpers';
import { askReturn, deliveredOrder, receiveReturn, stepReturn, storedReturns } from './helpers';

/** Each order line's shipped, returned and held counts, by product. */
async function countsOf(orderId: string): Promise<Record<string, { shipped: number; returned: number; held: number }>> {
  const rows = await query<{ product_id: string; shipped_quantity: number; returned_quantity: number; return_held_quantity: number }>(
    'SELECT product_id, shipped_quantity, returned_quantity, return_held_quantity FROM order_items WHERE order_id = $1',
    [orderId],
  );
  return Object.fromEntries(rows.map((r) => [r.product_id, { shipped: r.shipped_quantity, returned: r.returned_quantity, held: r.return_held_quantity }]));
}

function cancelShipment(token: string, orderId: string, shipmentId: string) {
  return client(token).POST('/api/v1/orders/{id}/shipments/{shipmentId}/cancel', { params: { path: { id: orderId, shipmentId } }, body: {} });
}

function rejectReturn(token: string, id: string, reason: string) {
  return client(token).POST('/api/v1/returns/{id}/reject', { params: { path: { id } }, body: { reason } });
}

/** Issue 28's review: open returns hold their units, a receipt receives something, a return counts its pending refunds, a rejection says why. */
describe('returns: open returns hold units, receipts and rejections checked, pending refunds counted', function () {
  this.timeout(60_000);

  it('keeps the units open returns hold: a shipment under an approved return cannot be cancelled (409 shipment-has-returns, nothing changed)', async () => {
    const { order, products } = await deliveredOrder([{ quantity: 3 }], { deliver: false });
    const admin = await asAdmin();
    const product = products[0]!.id;
    const shipmentId = (await getOrder(order.id)).shipments[0]!.id;
    const made = ok(await askReturn(admin, order.id, [{ productId: product, quantity: 3, reason: 'not_needed' }]));
    expect(await countsOf(order.id)).to.deep.equal({ [product]: { shipped: 3, returned: 0, held: 3 } });
    ok(await stepReturn(admin, made.id, 'approve'));

    const refused = await cancelShipment(admin, order.id, shipmentId);
    expect(refused.response.status).to.equal(409);
    expect(refused.error).to.include({ code: 'shipment-has-returns', productId: product, shippedQuantity: 3, heldByReturnsQuantity: 3 });
    expect(await countsOf(order.id)).to.deep.equal({ [product]: { shipped: 3, returned: 0, held: 3 } });
    expect((await getOrder(order.id)).shipments[0]!.status).to.equal('in_transit');

    // The database keeps it too: no writer may leave fewer shipped than returns hold.
    let violated: unknown;
    await query('UPDATE order_items SET shipped_quantity = 0 WHERE order_id = $1', [order.id]).catch((err: unknown) => (violated = err));
    expect(violated).to.have.property('constraint', 'order_items_units_returns_hold_within_shipped');

    // The units received: held no more, returned; the shipment still holds them.
    ok(await receiveReturn(admin, made.id, [{ productId: product, receivedQuantity: 2, restockQuantity: 2 }]));
    expect(await countsOf(order.id)).to.deep.equal({ [product]: { shipped: 3, returned: 2, held: 0 } });
    expect((await cancelShipment(admin, order.id, shipmentId)).error).to.include({ code: 'shipment-has-returns', heldByReturnsQuantity: 2 });
  });

  it('releases the units of a rejected or cancelled return, and then the shipment can be cancelled', async () => {
    const { order, products } = await deliveredOrder([{ quantity: 4 }], { deliver: false });
    const admin = await asAdmin();
    const product = products[0]!.id;
    const shipmentId = (await getOrder(order.id)).shipments[0]!.id;
    const first = ok(await askReturn(admin, order.id, [{ productId: product, quantity: 1, reason: 'damaged' }]));
    const second = ok(await askReturn(admin, order.id, [{ productId: product, quantity: 3, reason: 'damaged' }]));
    expect((await askReturn(admin, order.id, [{ productId: product, quantity: 1, reason: 'damaged' }])).error).to.include({ code: 'over-return' });
    expect((await countsOf(order.id))[product]).to.deep.equal({ shipped: 4, returned: 0, held: 4 });
    ok(await rejectReturn(admin, first.id, 'Non è un difetto'));
    ok(await stepReturn(admin, second.id, 'approve'));
    ok(await stepReturn(admin, second.id, 'cancel'));
    expect((await countsOf(order.id))[product]).to.deep.equal({ shipped: 4, returned: 0, held: 0 });

    const cancelled = ok(await cancelShipment(admin, order.id, shipmentId));
    expect(cancelled.status).to.equal('in_preparation');
    expect((await countsOf(order.id))[product]).to.deep.equal({ shipped: 0, returned: 0, held: 0 });
  });

  it('refuses a receipt of nothing (an empty list, or every line 0 received) with 400 and records nothing', async () => {
    const { order, products } = await deliveredOrder([{ quantity: 2 }, { quantity: 1 }]);
    const admin = await asAdmin();
    const [a, b] = products;
    const made = ok(
      await askReturn(admin, order.id, [
        { productId: a!.id, quantity: 2, reason: 'damaged' },
        { productId: b!.id, quantity: 1, reason: 'damaged' },
      ]),
    );
    ok(await stepReturn(admin, made.id, 'approve'));
    const bodies = [
      { lines: [] },
      { lines: [{ productId: a!.id, receivedQuantity: 0, restockQuantity: 0 }] },
      {
        lines: [
          { productId: a!.id, receivedQuantity: 0, restockQuantity: 0 },
          { productId: b!.id, receivedQuantity: 0, restockQuantity: 0 },
        ],
      },
    ];
    for (const body of bodies) {
      const res = await rawRequest('POST', `/api/v1/returns/${made.id}/receive`, { token: admin, body });
      expect(res.status, JSON.stringify(body)).to.equal(400);
    }
    expect((await storedReturns(order.id))[0]?.status).to.equal('approved');
    expect(await countsOf(order.id)).to.deep.equal({ [a!.id]: { shipped: 2, returned: 0, held: 2 }, [b!.id]: { shipped: 1, returned: 0, held: 1 } });
    expect(await query("SELECT 1 FROM stock_movements WHERE order_id = $1 AND type = 'return'", [order.id])).to.have.length(0);
  });

  it('refuses a blank rejection reason with 400 and leaves the return requested', async () => {
    const { buyer, order, products } = await deliveredOrder([{ quantity: 1 }]);
    const admin = await asAdmin();
    const made = ok(await askReturn(buyer.token, order.id, [{ productId: products[0]!.id, quantity: 1, reason: 'damaged' }]));
    for (const reason of [' ', '   \t\n']) {
      const res = await rawRequest('POST', `/api/v1/returns/${made.id}/reject`, { token: admin, body: { reason } });
      expect(res.status, JSON.stringify(reason)).to.equal(400);
    }
    expect(await query('SELECT status, reject_reason FROM returns WHERE id = $1', [made.id])).to.deep.equal([{ status: 'requested', reject_reason: null }]);
  });

  describe('a refund of a return still pending at Stripe', () => {
    let stripe: FakeStripe;
    beforeEach(() => {
      stripe = new FakeStripe().install();
    });
    afterEach(() => stripe.uninstall());

    it('counts in the return’s refundedCents, as in its ceiling: what is left is proposed − refunded', async () => {
      const admin = await asAdmin();
      const { buyer, order, product } = await unpaidOrder();
      const created = await payWithStripe(order.id, buyer.token);
      ok(await stripeWebhook(stripe.succeeded(intentOf(created))));
      ok(await client(admin).POST('/api/v1/orders/{id}/status', { params: { path: { id: order.id } }, body: { status: 'in_preparation' } }));
      ok(
        await client(admin).POST('/api/v1/orders/{id}/shipments', {
          params: { path: { id: order.id } },
          body: { carrier: 'manual', carrierName: 'BRT', trackingCode: `BRT-PENDING-${order.id.slice(0, 8)}` },
        }),
      );
      // One of the two units (24,40 € paid) comes back: 12,20 € proposed.
      const made = ok(await askReturn(admin, order.id, [{ productId: product.id, quantity: 1, reason: 'damaged' }]));
      ok(await stepReturn(admin, made.id, 'approve'));
      const received = ok(await receiveReturn(admin, made.id, [{ productId: product.id, receivedQuantity: 1, restockQuantity: 1 }]));
      const proposed = received.refund.proposedCents;
      expect(proposed).to.equal(1220);

      // Stripe does not answer: the refund stays pending (the retry pass meets the same outage).
      stripe.faults.refunds.push(...Array.from({ length: 10 }, () => ({ status: 500 })));
      const pending = await askRefund(order.id, { amountCents: 1096, reason: 'reso', returnId: made.id });
      expect(pending.response.status).to.equal(201);
      expect(pending.data).to.include({ status: 'pending' });

      const read = ok(await client(admin).GET('/api/v1/returns/{id}', { params: { path: { id: made.id } } }));
      expect(read.refund).to.deep.equal({ proposedCents: proposed, refundedCents: 1096 });
      const listed = ok(await client(admin).GET('/api/v1/orders/{id}/returns', { params: { path: { id: order.id } } }));
      expect(listed.items[0]!.refund).to.deep.equal({ proposedCents: proposed, refundedCents: 1096 });
      // What the view says is left is exactly what the ceiling lets through.
      const again = await askRefund(order.id, { amountCents: proposed - read.refund.refundedCents + 1, reason: 'reso', returnId: made.id });
      expect(again.error).to.include({ code: 'refund-exceeds-return', returnBalanceCents: proposed - 1096 });

      // The database keeps the return's refunds within it too, whatever a writer computed.
      expect(await query('SELECT proposed_cents, refunded_cents FROM returns WHERE id = $1', [made.id])).to.deep.equal([
        { proposed_cents: String(proposed), refunded_cents: '1096' },
      ]);
      const [payment] = await query<{ id: string; customer_id: string }>(
        'SELECT id, (SELECT customer_id FROM orders WHERE id = $1) AS customer_id FROM payments WHERE order_id = $1',
        [order.id],
      );
      let violated: unknown;
      await query("INSERT INTO refunds (payment_id, customer_id, amount_cents, status, reason, return_id) VALUES ($1, $2, $3, 'pending', 'x', $4)", [
        payment!.id,
        payment!.customer_id,
        proposed - 1096 + 1,
        made.id,
      ]).catch((err: unknown) => (violated = err));
      expect(violated).to.have.property('constraint', 'returns_refunded_within_proposed');

      // Stripe back: the retry pass makes the refund, and the return still counts it once.
      stripe.faults.refunds.length = 0;
      await waitFor(
        async () => (await query<{ status: string }>('SELECT status FROM refunds WHERE id = $1', [pending.data!.id]))[0]?.status === 'succeeded',
        25_000,
        'the refund made by the retry pass',
      );
      expect(ok(await client(admin).GET('/api/v1/returns/{id}', { params: { path: { id: made.id } } })).refund.refundedCents).to.equal(1096);
      expect(await query('SELECT refunded_cents FROM returns WHERE id = $1', [made.id])).to.deep.equal([{ refunded_cents: '1096' }]);
    });
  });
});
