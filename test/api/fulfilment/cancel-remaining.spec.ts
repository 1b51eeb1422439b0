import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { asAdmin, createProduct, customer, ok, operator, placedOrder, rawRequest } from '../../support/api';
import { client } from '../../support/client';
import { query, waitFor } from '../../support/database';
import { FakeStripe } from '../../support/fakes/stripe.fake';
import { h } from '../../support/hooks';
import { intentOf, payWithStripe, stripeWebhook } from '../integrations/helpers';
import { assertEventsMatchAsyncApi, assertStockInvariant, countsOf, eventsOf, getOrder, historyOf, preparedOrder, shipManually, stockOf } from './helpers';

async function cancelRemaining(orderId: string, options: { token?: string; key?: string; reason?: string } = {}) {
  return client(options.token ?? (await asAdmin())).POST('/api/v1/orders/{id}/cancel-remaining', {
    params: { path: { id: orderId } },
    body: { reason: options.reason ?? 'out of stock at the supplier' },
    headers: options.key ? { 'idempotency-key': options.key } : {},
  });
}

/** Net + VAT of `quantity` units, rounded half up per line in integer cents (the order's own rule). */
const gross = (quantity: number, unitPriceCents: number, vatRate: number) => {
  const net = quantity * unitPriceCents;
  return net + Math.floor((net * vatRate + 50) / 100);
};

const refundsOf = (paymentId: string) =>
  query<{ id: string; amount_cents: string; status: string }>('SELECT id, amount_cents, status FROM refunds WHERE payment_id = $1 ORDER BY created_at', [
    paymentId,
  ]);

describe('Cancelling the rest of an order', function () {
  // Many requests each, on a shared machine: more than mocha's default 20 s when it is busy.
  this.timeout(60_000);
  it('cancels and releases what is left, refunds its gross (manual payment recorded), and ships the order', async () => {
    const { order, products } = await preparedOrder([
      { quantity: 10, unitPriceCents: 449, vatRate: 22 },
      { quantity: 2, unitPriceCents: 1290, vatRate: 22 },
    ]);
    const [paper, pens] = [products[0]!.id, products[1]!.id];
    ok(
      await shipManually(order.id, [
        { productId: paper, quantity: 4 },
        { productId: pens, quantity: 2 },
      ]),
    );
    const key = randomUUID();
    const res = await cancelRemaining(order.id, { key, reason: 'carta esaurita' });
    expect(res.response.status).to.equal(200);
    expect(res.data?.status).to.equal('shipped');
    expect(res.data?.items.map((i) => [i.quantity, i.shippedQuantity, i.cancelledQuantity])).to.deep.equal([
      [10, 4, 6],
      [2, 2, 0],
    ]);
    expect(await stockOf(paper)).to.deep.equal({ on_hand: 46, reserved: 0 });
    const expected = gross(6, 449, 22);
    expect(expected).to.equal(3287);
    const payment = res.data!.payments[0]!;
    expect(payment).to.include({ status: 'partially_refunded', refundedCents: expected, amountCents: order.totals.grossCents });
    expect((await refundsOf(payment.id)).map((r) => [r.amount_cents, r.status])).to.deep.equal([[String(expected), 'succeeded']]);
    expect((await query('SELECT reason FROM refunds WHERE payment_id = $1', [payment.id])).map((r) => r.reason)).to.deep.equal(["resto dell'ordine annullato"]);
    expect((await historyOf(order.id)).at(-1)).to.deep.equal(['partially_shipped', 'shipped']);
    const [changed] = (await eventsOf(order.id, 'order.status_changed')).slice(-1);
    expect(changed).to.include({ from: 'partially_shipped', to: 'shipped', reason: 'carta esaurita', shipmentId: null });
    const [paid] = (await eventsOf(order.id, 'payment.updated')).slice(-1);
    expect(paid).to.include({ status: 'partially_refunded', refundedCents: expected });

    const replay = await cancelRemaining(order.id, { key, reason: 'carta esaurita' });
    expect(replay.response.status).to.equal(200);
    expect(replay.response.headers.get('idempotent-replayed')).to.equal('true');
    expect(await refundsOf(payment.id)).to.have.length(1);
    await assertStockInvariant([paper, pens]);
    expect(await assertEventsMatchAsyncApi(order.id)).to.be.greaterThan(6);

    // The customer hears of the refund: a refund mail for the partial refund.
    await waitFor(
      async () => (await query("SELECT 1 FROM email_messages WHERE order_id = $1 AND template = 'refund_made'", [order.id])).length === 1,
      10_000,
      'the refund mail',
    );
  });

  it('cancels the whole order when nothing shipped, refunding all that was captured', async () => {
    const { order, products } = await preparedOrder([{ quantity: 3, unitPriceCents: 333, vatRate: 22 }]);
    const res = await cancelRemaining(order.id);
    expect(res.response.status).to.equal(200);
    expect(res.data?.status).to.equal('cancelled');
    expect(res.data?.items[0]).to.include({ shippedQuantity: 0, cancelledQuantity: 3 });
    expect(res.data?.payments[0]).to.include({ status: 'refunded', refundedCents: order.totals.grossCents });
    expect(await stockOf(products[0]!.id)).to.deep.equal({ on_hand: 50, reserved: 0 });
    await assertStockInvariant([products[0]!.id]);
  });

  it('refuses an order with nothing left to ship (409), bad input (400) and a customer (403), changing nothing', async () => {
    const admin = await asAdmin();
    const { order, products, buyer } = await preparedOrder([{ quantity: 2 }]);
    expect((await cancelRemaining(order.id, { token: buyer.token })).response.status).to.equal(403);
    for (const body of [{}, { reason: '' }, { reason: 'x', lines: [] }, { reason: 7 }]) {
      expect((await rawRequest('POST', `/api/v1/orders/${order.id}/cancel-remaining`, { token: admin, body })).status, JSON.stringify(body)).to.equal(400);
    }
    expect((await rawRequest('POST', `/api/v1/orders/not-an-id/cancel-remaining`, { token: admin, body: { reason: 'x' } })).status).to.equal(400);
    expect((await cancelRemaining(randomUUID())).response.status).to.equal(404);
    expect(await countsOf(order.id)).to.deep.equal([{ product_id: products[0]!.id, quantity: 2, shipped_quantity: 0, cancelled_quantity: 0 }]);
    ok(await shipManually(order.id));
    const refused = await cancelRemaining(order.id);
    expect(refused.response.status).to.equal(409);
    expect(refused.error).to.include({ code: 'illegal-transition', currentStatus: 'shipped' });
    expect((await getOrder(order.id)).payments[0]).to.include({ status: 'captured', refundedCents: 0 });
  });

  it('lets cancel-remaining and a shipment of the same last units race: exactly one wins, and the counts, stock and refunds agree', async () => {
    const { order, products } = await preparedOrder([{ quantity: 8, unitPriceCents: 500, vatRate: 22 }]);
    const id = products[0]!.id;
    ok(await shipManually(order.id, [{ productId: id, quantity: 3 }]));
    const [one, two] = [await operator(), await operator()];
    const [cancel, ship] = await Promise.all([cancelRemaining(order.id, { token: one.token }), shipManually(order.id, undefined, { token: two.token })]);
    expect([
      [200, 409],
      [409, 201],
    ]).to.deep.include([cancel.response.status, ship.response.status]);
    const payment = (await getOrder(order.id)).payments[0]!;
    const [line] = await countsOf(order.id);
    if (cancel.response.status === 200) {
      expect(line).to.include({ shipped_quantity: 3, cancelled_quantity: 5 });
      expect(payment.refundedCents).to.equal(gross(5, 500, 22));
    } else {
      expect(line).to.include({ shipped_quantity: 8, cancelled_quantity: 0 });
      expect(await refundsOf(payment.id)).to.deep.equal([]);
    }
    expect((await getOrder(order.id)).status).to.equal('shipped');
    await assertStockInvariant([id]);
  });

  it('keeps the sum of a payment’s refunds within what was captured in the database itself (a trigger-kept balance under a CHECK)', async () => {
    const { order } = await preparedOrder([{ quantity: 2, unitPriceCents: 1000, vatRate: 22 }]);
    const payment = (await getOrder(order.id)).payments[0]!;
    const insert = (cents: number, status = 'pending') =>
      // Not due for a day: the refund retry pass leaves these rows alone.
      h().db.query(
        `INSERT INTO refunds (payment_id, customer_id, amount_cents, status, reason, next_attempt_at)
         SELECT id, $2, $3, $4, 'prova', now() + interval '1 day' FROM payments WHERE id = $1`,
        [payment.id, order.customerId, cents, status],
      );
    await insert(2000);
    let over: { constraint?: string } | undefined;
    try {
      await insert(441);
    } catch (err) {
      over = err as { constraint?: string };
    }
    expect(over?.constraint).to.equal('payments_refunded_within_amount');
    await insert(441, 'failed'); // a failed refund takes nothing
    await insert(440);
    expect((await query('SELECT refunded_cents FROM payments WHERE id = $1', [payment.id]))[0].refunded_cents).to.equal('2440');
    // A refund that fails gives its amount back to the balance.
    await h().db.query("UPDATE refunds SET status = 'failed' WHERE payment_id = $1 AND amount_cents = 440", [payment.id]);
    expect((await query('SELECT refunded_cents FROM payments WHERE id = $1', [payment.id]))[0].refunded_cents).to.equal('2000');
    let zero: { constraint?: string } | undefined;
    try {
      await insert(0);
    } catch (err) {
      zero = err as { constraint?: string };
    }
    expect(zero?.constraint).to.equal('refunds_amount_positive');
    await h().db.query('DELETE FROM refunds WHERE payment_id = $1', [payment.id]);
  });

  describe('with Stripe', () => {
    let stripe: FakeStripe;
    beforeEach(() => {
      stripe = new FakeStripe().install();
    });
    afterEach(() => stripe.uninstall());

    it('refunds exactly the unshipped units’ gross through Stripe, keyed by the refund row, and stays partly refunded on Stripe’s partial charge.refunded', async () => {
      const admin = await asAdmin();
      const buyer = await customer();
      const a = await createProduct({ unitPriceCents: 333, vatRate: 22, initialStock: 20 });
      const b = await createProduct({ unitPriceCents: 1299, vatRate: 10, initialStock: 20 });
      const order = await placedOrder(buyer.token, [
        { productId: a.id, quantity: 7 },
        { productId: b.id, quantity: 3 },
      ]);
      const created = await payWithStripe(order.id, buyer.token);
      const intentId = intentOf(created);
      ok(await stripeWebhook(stripe.succeeded(intentId)));
      ok(await client(admin).POST('/api/v1/orders/{id}/status', { params: { path: { id: order.id } }, body: { status: 'in_preparation' } }));
      ok(
        await shipManually(order.id, [
          { productId: a.id, quantity: 2 },
          { productId: b.id, quantity: 1 },
        ]),
      );

      const res = await cancelRemaining(order.id);
      expect(res.response.status).to.equal(200);
      const expected = gross(5, 333, 22) + gross(2, 1299, 10);
      expect(expected).to.equal(2031 + 2858);
      const [call] = stripe.callsTo('refunds');
      expect(call?.params).to.include({ payment_intent: intentId, amount: String(expected) });
      const payment = res.data!.payments[0]!;
      const [refund] = await refundsOf(payment.id);
      expect(refund).to.include({ amount_cents: String(expected), status: 'succeeded' });
      expect(call?.idempotencyKey).to.equal(`quickstock-refund-${refund!.id}`);
      expect(payment).to.include({ status: 'partially_refunded', refundedCents: expected });
      expect(stripe.refunds.map((r) => r.amount)).to.deep.equal([expected]);

      // Stripe reports the partial refund: the charge is not refunded whole, so the payment stays partly refunded.
      const echo = await stripeWebhook(
        stripe.event('charge.refunded', { id: 'ch_partial', object: 'charge', payment_intent: intentId, refunded: false, amount_refunded: expected }),
      );
      expect(echo.data?.outcome).to.equal('ignored-type');
      expect((await getOrder(order.id)).payments[0]).to.include({ status: 'partially_refunded', refundedCents: expected });
      await assertStockInvariant([a.id, b.id]);
    });
  });
});
