import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { asAdmin, customer } from '../../support/api';
import { client } from '../../support/client';
import { query, waitFor } from '../../support/database';
import { FakeStripe } from '../../support/fakes/stripe.fake';
import { intentOf, payWithStripe, stripeWebhook, unpaidOrder } from './helpers';

const historyOf = (orderId: string) =>
  query('SELECT from_status, to_status, actor_role, reason FROM order_status_history WHERE order_id = $1 ORDER BY id', [orderId]);
const eventsOf = (orderId: string, type: string) => query("SELECT data FROM events WHERE type = $1 AND data->>'orderId' = $2 ORDER BY id", [type, orderId]);
const paymentsOf = (orderId: string) => query('SELECT * FROM payments WHERE order_id = $1 ORDER BY created_at', [orderId]);

describe('Stripe payments', () => {
  let stripe: FakeStripe;
  beforeEach(() => {
    stripe = new FakeStripe().install();
  });
  afterEach(() => stripe.uninstall());

  async function paidOrder() {
    const made = await unpaidOrder();
    const created = await payWithStripe(made.order.id, made.buyer.token);
    expect(created.response.status).to.equal(201);
    const res = await stripeWebhook(stripe.succeeded(intentOf(created)));
    expect(res.response.status).to.equal(200);
    return { ...made, payment: created.data, intentId: intentOf(created) };
  }

  it('creates a PaymentIntent for the gross total in EUR and answers a pending payment with its clientSecret', async () => {
    const { buyer, order } = await unpaidOrder();
    const res = await payWithStripe(order.id, buyer.token);
    expect(res.response.status).to.equal(201);
    expect(res.data).to.include({ provider: 'stripe', status: 'pending', amountCents: 2440, currency: 'EUR' });
    expect(res.data?.clientSecret).to.match(/^pi_.+_secret_/);
    const [call] = stripe.callsTo('payment_intents');
    expect(call?.params).to.include({ amount: '2440', currency: 'eur', 'metadata[orderId]': order.id, 'metadata[customerId]': buyer.id });
    const [row] = await paymentsOf(order.id);
    expect(call?.idempotencyKey, 'keyed by the payment row').to.equal(`quickstock-payment-${row.id}`);
    expect(row).to.include({ provider: 'stripe', status: 'pending', provider_payment_id: res.data?.reference });
    expect((await client(buyer.token).GET('/api/v1/orders/{id}', { params: { path: { id: order.id } } })).data?.status).to.equal('pending_payment');
  });

  it('keeps the clientSecret out of caches and out of the idempotency table, and replays the same body with it', async () => {
    const { buyer, order } = await unpaidOrder();
    const key = randomUUID();
    const first = await payWithStripe(order.id, buyer.token, key);
    expect(first.response.status).to.equal(201);
    expect(first.response.headers.get('cache-control')).to.equal('no-store');
    const clientSecret = first.data!.clientSecret!;
    expect(clientSecret).to.match(/^pi_.+_secret_/);
    // At rest for 24 h: the stored answer has no client secret.
    const [stored] = await query<{ response_body: Record<string, unknown> }>('SELECT response_body FROM idempotency_keys WHERE key = $1', [key]);
    expect(stored!.response_body).to.include({ id: first.data!.id, status: 'pending' });
    expect(stored!.response_body).to.not.have.property('clientSecret');
    expect(JSON.stringify(stored!.response_body)).to.not.contain(clientSecret);
    expect(JSON.stringify(await query('SELECT * FROM payments WHERE order_id = $1', [order.id]))).to.not.contain(clientSecret);

    const replay = await payWithStripe(order.id, buyer.token, key);
    expect(replay.response.status).to.equal(201);
    expect(replay.response.headers.get('idempotent-replayed')).to.equal('true');
    expect(replay.response.headers.get('cache-control')).to.equal('no-store');
    expect(replay.data).to.deep.equal(first.data);
    // Asking again without the key answers the pending payment (200), also not for caches.
    const resumed = await payWithStripe(order.id, buyer.token);
    expect(resumed.response.status).to.equal(200);
    expect(resumed.response.headers.get('cache-control')).to.equal('no-store');
    expect(resumed.data?.clientSecret).to.equal(clientSecret);
    expect(stripe.callsTo('payment_intents')).to.have.length(1);
  });

  it('moves the order to paid on payment_intent.succeeded, with one history row and one status event', async () => {
    const { order, intentId } = await paidOrder();
    const [payment] = await paymentsOf(order.id);
    expect(payment.status).to.equal('captured');
    const history = await historyOf(order.id);
    expect(history.at(-1)).to.include({ from_status: 'pending_payment', to_status: 'paid', actor_role: 'system' });
    expect(await eventsOf(order.id, 'order.status_changed')).to.have.length(1);
    const [stored] = await query("SELECT outcome, processed_at FROM provider_events WHERE provider = 'stripe' AND payload->'data'->'object'->>'id' = $1", [
      intentId,
    ]);
    expect(stored.outcome).to.equal('order-paid');
    expect(stored.processed_at).to.be.a('date');
  });

  it('records a failed payment with its reason and leaves the order pending_payment; a new attempt uses a new key', async () => {
    const { buyer, order } = await unpaidOrder();
    const created = await payWithStripe(order.id, buyer.token);
    const res = await stripeWebhook(stripe.failed(intentOf(created), 'Your card was declined.'));
    expect(res.response.status).to.equal(200);
    expect(res.data).to.include({ duplicate: false, outcome: 'payment-failed' });
    const [payment] = await paymentsOf(order.id);
    expect(payment).to.include({ status: 'failed', failure_reason: 'Your card was declined.' });
    const view = await client(buyer.token).GET('/api/v1/orders/{id}', { params: { path: { id: order.id } } });
    expect(view.data?.status).to.equal('pending_payment');
    expect(view.data?.payments[0]).to.include({ status: 'failed', failureReason: 'Your card was declined.' });
    const failedEvents = await eventsOf(order.id, 'payment.updated');
    expect(failedEvents.at(-1).data).to.include({ status: 'failed', failureReason: 'Your card was declined.' });

    const again = await payWithStripe(order.id, buyer.token);
    expect(again.response.status).to.equal(201);
    expect(stripe.callsTo('payment_intents').at(-1)?.idempotencyKey).to.equal(`quickstock-payment-${again.data?.id}`);
  });

  it('refunds a stripe-paid order through Stripe when staff cancel it, and releases its stock', async () => {
    const { order, intentId, product } = await paidOrder();
    const res = await client(await asAdmin()).POST('/api/v1/orders/{id}/cancel', { params: { path: { id: order.id } }, body: { reason: 'customer asked' } });
    expect(res.response.status).to.equal(200);
    expect(res.data?.status).to.equal('cancelled');
    expect(res.data?.payments[0]?.status).to.equal('refunded');
    const [refund] = stripe.callsTo('refunds');
    expect(refund?.params).to.include({ payment_intent: intentId, amount: '2440' });
    const [recorded] = await query('SELECT id, status, attempts FROM refunds WHERE payment_id = $1', [res.data?.payments[0]?.id]);
    expect(recorded).to.include({ status: 'succeeded', attempts: 1 });
    expect(refund?.idempotencyKey, 'keyed by the refund row').to.equal(`quickstock-refund-${recorded.id}`);
    const [stock] = await query('SELECT reserved FROM products WHERE id = $1', [product.id]);
    expect(stock.reserved).to.equal(0);
    // Stripe then reports the refund: already done, nothing changes.
    const echo = await stripeWebhook(stripe.chargeRefunded(intentId));
    expect(echo.data?.outcome).to.equal('already-refunded');
  });

  it('cancels at once when Stripe refuses the refund: the refund is recorded failed and the payment says why', async () => {
    const { order, product } = await paidOrder();
    stripe.faults.refunds.push({ status: 400, body: { error: { type: 'invalid_request_error', message: 'charge disputed' } } });
    const admin = await asAdmin();
    const res = await client(admin).POST('/api/v1/orders/{id}/cancel', { params: { path: { id: order.id } } });
    expect(res.response.status).to.equal(200);
    expect(res.data?.status).to.equal('cancelled');
    expect(res.data?.payments[0]).to.include({ status: 'captured' });
    expect(res.data?.payments[0]?.failureReason).to.match(/refund refused: .*charge disputed/);
    expect((await query('SELECT reserved FROM products WHERE id = $1', [product.id]))[0].reserved).to.equal(0);
    const [refund] = await query('SELECT status, last_error FROM refunds WHERE payment_id = $1', [res.data?.payments[0]?.id]);
    expect(refund.status).to.equal('failed');
    expect(stripe.refunds).to.have.length(0);
  });

  it('makes a refund that failed transiently from the background retry, exactly once, the order staying cancelled', async function () {
    this.timeout(30_000);
    const { order } = await paidOrder();
    // The call after the commit fails (500 on each of its tries); the retry pass then meets a timeout
    // where Stripe did refund but the answer was lost, and tries again under the same key.
    stripe.faults.refunds.push({ status: 500 }, { status: 500 }, { status: 500 });
    const res = await client(await asAdmin()).POST('/api/v1/orders/{id}/cancel', { params: { path: { id: order.id } } });
    expect(res.response.status).to.equal(200);
    expect(res.data?.status).to.equal('cancelled');
    expect(res.data?.payments[0]?.status).to.equal('captured');
    const paymentId = res.data!.payments[0]!.id;
    expect((await query('SELECT status FROM refunds WHERE payment_id = $1', [paymentId]))[0].status).to.equal('pending');
    stripe.faults.refunds.push({ delayMs: 1500 });
    await waitFor(async () => (await paymentsOf(order.id))[0].status === 'refunded', 25_000, 'the refund retried in the background');
    const [refund] = await query('SELECT id, status, attempts FROM refunds WHERE payment_id = $1', [paymentId]);
    expect(refund.status).to.equal('succeeded');
    expect(refund.attempts).to.equal(2);
    expect(stripe.refunds, 'one refund at Stripe').to.have.length(1);
    expect(new Set(stripe.callsTo('refunds').map((c) => c.idempotencyKey))).to.deep.equal(new Set([`quickstock-refund-${refund.id}`]));
    expect((await query('SELECT status FROM orders WHERE id = $1', [order.id]))[0].status).to.equal('cancelled');
  });

  it('records a refund made in the Stripe dashboard (charge.refunded)', async () => {
    const { order, intentId } = await paidOrder();
    const res = await stripeWebhook(stripe.chargeRefunded(intentId));
    expect(res.data?.outcome).to.equal('payment-refunded');
    expect((await paymentsOf(order.id))[0].status).to.equal('refunded');
  });

  it('hides another customer’s order (404) and lets staff start a payment for a customer', async () => {
    const { order } = await unpaidOrder();
    const stranger = await customer();
    expect((await payWithStripe(order.id, stranger.token)).response.status).to.equal(404);
    expect((await payWithStripe(order.id, await asAdmin())).response.status).to.equal(201);
  });

  it('refuses to pay an order that is not pending_payment with 409 and calls Stripe no more', async () => {
    const { order, buyer } = await paidOrder();
    const before = stripe.calls.length;
    const res = await payWithStripe(order.id, buyer.token);
    expect(res.response.status).to.equal(409);
    expect(stripe.calls.length).to.equal(before);
  });

  describe('webhook signatures', () => {
    it('accepts a valid signature and refuses every tampered delivery with 400, changing nothing', async () => {
      const { buyer, order } = await unpaidOrder();
      const created = await payWithStripe(order.id, buyer.token);
      const good = stripe.succeeded(intentOf(created));
      const now = Math.floor(Date.now() / 1000);
      const bad = [
        { name: 'wrong secret', rawBody: good.rawBody, signature: stripe.sign(good.rawBody, { secret: 'whsec_someone_else' }) },
        { name: 'changed byte', rawBody: good.rawBody.replace('"succeeded"', '"succeedeD"'), signature: good.signature },
        { name: 're-serialized body', rawBody: JSON.stringify(JSON.parse(good.rawBody)), signature: good.signature },
        { name: 'stale timestamp', rawBody: good.rawBody, signature: stripe.sign(good.rawBody, { timestamp: now - 600 }) },
        { name: 'future timestamp', rawBody: good.rawBody, signature: stripe.sign(good.rawBody, { timestamp: now + 600 }) },
        { name: 'garbage header', rawBody: good.rawBody, signature: 'nonsense' },
      ];
      for (const delivery of bad) {
        const res = await stripeWebhook(delivery);
        expect(res.response.status, delivery.name).to.equal(400);
        expect(res.response.headers.get('content-type'), delivery.name).to.match(/problem\+json/);
      }
      const missing = await stripeWebhook({ rawBody: good.rawBody }, undefined);
      expect(missing.response.status).to.equal(400);
      expect(await query('SELECT 1 FROM provider_events WHERE event_id = $1', [good.event.id])).to.have.length(0);
      expect((await paymentsOf(order.id))[0].status).to.equal('pending');

      const ok = await stripeWebhook(good);
      expect(ok.response.status).to.equal(200);
      expect(ok.data).to.deep.equal({ received: true, duplicate: false, outcome: 'order-paid' });
    });
  });

  describe('exactly once', () => {
    it('acts once on a webhook delivered twice, answering 200 both times', async () => {
      const { buyer, order } = await unpaidOrder();
      const created = await payWithStripe(order.id, buyer.token);
      const delivery = stripe.succeeded(intentOf(created));
      const first = await stripeWebhook(delivery);
      const second = await stripeWebhook(delivery);
      expect(first.data?.duplicate).to.equal(false);
      expect(second.response.status).to.equal(200);
      expect(second.data).to.deep.equal({ received: true, duplicate: true, outcome: 'order-paid' });
      expect((await historyOf(order.id)).filter((h) => h.to_status === 'paid')).to.have.length(1);
    });

    it('acts once on 10 parallel deliveries of one event: one transition, one history row, one event of each kind', async () => {
      const { buyer, order } = await unpaidOrder();
      const created = await payWithStripe(order.id, buyer.token);
      const delivery = stripe.succeeded(intentOf(created));
      const answers = await Promise.all(Array.from({ length: 10 }, () => stripeWebhook(delivery)));
      expect(answers.map((a) => a.response.status)).to.deep.equal(Array(10).fill(200));
      expect(answers.filter((a) => a.data?.duplicate === false)).to.have.length(1);
      expect((await historyOf(order.id)).filter((h) => h.to_status === 'paid')).to.have.length(1);
      expect(await eventsOf(order.id, 'order.status_changed')).to.have.length(1);
      expect((await eventsOf(order.id, 'payment.updated')).filter((e) => e.data.status === 'captured')).to.have.length(1);
      expect(await query('SELECT 1 FROM provider_events WHERE event_id = $1', [delivery.event.id])).to.have.length(1);
    });

    it('stores and acknowledges an event for an unknown payment (200), so Stripe stops retrying', async () => {
      const delivery = stripe.succeeded('pi_nobody_knows');
      const res = await stripeWebhook(delivery);
      expect(res.response.status).to.equal(200);
      expect(res.data?.outcome).to.equal('unknown-payment');
      const [stored] = await query('SELECT type, outcome FROM provider_events WHERE event_id = $1', [delivery.event.id]);
      expect(stored).to.deep.equal({ type: 'payment_intent.succeeded', outcome: 'unknown-payment' });
    });

    it('acknowledges event types it does not handle', async () => {
      const res = await stripeWebhook(stripe.event('customer.created', { id: 'cus_1', object: 'customer' }));
      expect(res.response.status).to.equal(200);
      expect(res.data?.outcome).to.equal('ignored-type');
    });

    it('refunds a payment that succeeds after its order was cancelled', async () => {
      const { buyer, order } = await unpaidOrder();
      const created = await payWithStripe(order.id, buyer.token);
      expect((await client(buyer.token).POST('/api/v1/orders/{id}/cancel', { params: { path: { id: order.id } } })).response.status).to.equal(200);
      const res = await stripeWebhook(stripe.succeeded(intentOf(created)));
      expect(res.data?.outcome).to.equal('captured-needs-refund');
      expect((await paymentsOf(order.id))[0].status).to.equal('refunded');
      expect(stripe.refunds.map((r) => r.payment_intent)).to.deep.equal([created.data?.reference]);
      expect((await query('SELECT status FROM orders WHERE id = $1', [order.id]))[0].status).to.equal('cancelled');
    });
  });
});
