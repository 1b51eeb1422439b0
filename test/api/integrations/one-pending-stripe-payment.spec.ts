import { expect } from 'chai';
import { asAdmin } from '../../support/api';
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
});
