import { expect } from 'chai';
import { asAdmin, login } from '../../support/api';
import { client } from '../../support/client';
import { providerEnv } from '../../support/hooks';
import { withSecondService } from '../../support/services';
import { query } from '../../support/database';
import { FakeStripe } from '../../support/fakes/stripe.fake';
import { intentOf, payWithStripe, stripeWebhook, unpaidOrder } from './helpers';

const paymentsOf = (orderId: string) => query('SELECT id, status, provider_payment_id FROM payments WHERE order_id = $1 ORDER BY created_at', [orderId]);

describe('At most one pending Stripe payment per order', () => {
  let stripe: FakeStripe;
  beforeEach(() => {
    stripe = new FakeStripe().install();
  });
  afterEach(() => stripe.uninstall());

  it('answers a second request with the pending payment, its PaymentIntent and clientSecret (200), creating nothing', async () => {
    const { buyer, order } = await unpaidOrder();
    const first = await payWithStripe(order.id, buyer.token);
    expect(first.response.status).to.equal(201);
    const again = await payWithStripe(order.id, buyer.token);
    expect(again.response.status).to.equal(200);
    expect(again.data).to.deep.equal(first.data);
    // Staff asking for the customer's order get the same one.
    const staff = await payWithStripe(order.id, await asAdmin());
    expect(staff.response.status).to.equal(200);
    expect(staff.data?.clientSecret).to.equal(first.data?.clientSecret);
    expect(stripe.callsTo('payment_intents')).to.have.length(1);
    expect(await paymentsOf(order.id)).to.have.length(1);
    expect(await query("SELECT 1 FROM events WHERE type = 'payment.updated' AND data->>'orderId' = $1", [order.id])).to.have.length(1);
  });

  it('creates one PaymentIntent for 50 parallel requests, every answer naming it', async function () {
    this.timeout(60_000);
    const { buyer, order } = await unpaidOrder();
    const results = await Promise.all(Array.from({ length: 50 }, () => payWithStripe(order.id, buyer.token)));
    expect(results.map((r) => r.response.status).filter((s) => s === 201)).to.have.length(1);
    expect(results.map((r) => r.response.status).filter((s) => s === 200)).to.have.length(49);
    expect(stripe.callsTo('payment_intents')).to.have.length(1);
    expect(stripe.intents.size).to.equal(1);
    const [intentId] = [...stripe.intents.keys()];
    expect(new Set(results.map((r) => r.data?.reference))).to.deep.equal(new Set([intentId]));
    expect(new Set(results.map((r) => r.data?.clientSecret))).to.deep.equal(new Set([stripe.intents.get(intentId!)!.client_secret]));
    const rows = await paymentsOf(order.id);
    expect(rows).to.have.length(1);
    expect(rows[0]).to.include({ status: 'pending', provider_payment_id: intentId });
  });

  it('creates a new PaymentIntent once the pending one failed, or was cancelled at Stripe', async () => {
    const { buyer, order } = await unpaidOrder();
    const first = await payWithStripe(order.id, buyer.token);
    expect((await stripeWebhook(stripe.failed(intentOf(first)))).response.status).to.equal(200);
    const second = await payWithStripe(order.id, buyer.token);
    expect(second.response.status).to.equal(201);
    expect(second.data?.reference).to.not.equal(first.data?.reference);
    stripe.cancel(intentOf(second));
    const third = await payWithStripe(order.id, buyer.token);
    expect(third.response.status).to.equal(201);
    expect(third.data?.reference).to.not.equal(second.data?.reference);
    expect(stripe.callsTo('payment_intents')).to.have.length(3);
    expect((await paymentsOf(order.id)).map((p) => p.status)).to.deep.equal(['failed', 'failed', 'pending']);
  });

  it('finishes an attempt a crashed request left recorded, under the key of its row: no second payment', async () => {
    const { buyer, order } = await unpaidOrder();
    // What a process killed during the call to Stripe leaves: the attempt, without its PaymentIntent.
    const [left] = await query("INSERT INTO payments (order_id, provider, status, amount_cents) VALUES ($1, 'stripe', 'pending', $2) RETURNING id", [
      order.id,
      order.totals.grossCents,
    ]);
    const res = await payWithStripe(order.id, buyer.token);
    expect(res.response.status).to.equal(201);
    expect(res.data?.id).to.equal(left.id);
    expect(stripe.callsTo('payment_intents').map((c) => c.idempotencyKey)).to.deep.equal([`quickstock-payment-${left.id}`]);
    expect(await paymentsOf(order.id)).to.deep.equal([{ id: left.id, status: 'pending', provider_payment_id: res.data?.reference }]);
  });

  it('lets a cancel win while Stripe is answering: the cancel does not wait, the attempt fails, its PaymentIntent is cancelled, the payer gets 409', async function () {
    this.timeout(30_000);
    await withSecondService({ ...providerEnv, PROVIDER_TIMEOUT_MS: '5000' }, async (base) => {
      const { buyer, order, product } = await unpaidOrder();
      const token = (await login(buyer.email, buyer.password)).accessToken;
      stripe.faults.payment_intents.push({ delayMs: 3000 });
      let paidAt = Number.POSITIVE_INFINITY;
      const paying = fetch(`${base}/api/v1/orders/${order.id}/payments`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ provider: 'stripe' }),
      }).then((res) => {
        paidAt = Date.now();
        return res;
      });
      while (stripe.callsTo('payment_intents').length === 0) await new Promise((r) => setTimeout(r, 10));
      const cancelled = await client(buyer.token).POST('/api/v1/orders/{id}/cancel', {
        params: { path: { id: order.id } },
        body: { reason: 'changed my mind' },
      });
      expect(cancelled.response.status).to.equal(200);
      expect(Date.now(), 'the cancel does not wait for Stripe').to.be.below(paidAt);
      expect((await query('SELECT reserved FROM products WHERE id = $1', [product.id]))[0].reserved).to.equal(0);

      const paid = await paying;
      const problem = (await paid.json()) as { code: string };
      expect(paid.status).to.equal(409);
      expect(problem.code).to.equal('illegal-transition');
      const [intentId] = [...stripe.intents.keys()];
      expect(await paymentsOf(order.id)).to.deep.equal([{ id: (await paymentsOf(order.id))[0].id, status: 'failed', provider_payment_id: intentId }]);
      expect(stripe.intents.get(intentId!)?.status).to.equal('canceled');
      expect(stripe.calls.filter((c) => c.path === `/v1/payment_intents/${intentId}/cancel`)).to.have.length(1);
      // Should the customer still pay it (a race at Stripe), the money goes back.
      const late = await stripeWebhook(stripe.succeeded(intentId!));
      expect(late.data?.outcome).to.equal('captured-needs-refund');
      expect(stripe.refunds.map((r) => r.payment_intent)).to.deep.equal([intentId]);
      expect((await query('SELECT status FROM orders WHERE id = $1', [order.id]))[0].status).to.equal('cancelled');
    });
  });
});
