import { expect } from 'chai';
import { login, asAdmin } from '../../support/api';
import { client } from '../../support/client';
import { providerEnv } from '../../support/hooks';
import { withSecondService } from '../../support/services';
import { query } from '../../support/database';
import { FakeStripe } from '../../support/fakes/stripe.fake';
import { payWithStripe, unpaidOrder } from './helpers';

const paymentCount = async (orderId: string) => (await query('SELECT count(*)::int AS n FROM payments WHERE order_id = $1', [orderId]))[0].n;

describe('Provider resilience', () => {
  let stripe: FakeStripe;
  beforeEach(() => {
    stripe = new FakeStripe().install();
  });
  afterEach(() => stripe.uninstall());

  it('retries a 500 and a 429 with the same idempotency key, then succeeds', async () => {
    const { buyer, order } = await unpaidOrder();
    stripe.faults.payment_intents.push({ status: 500 }, { status: 429 });
    const res = await payWithStripe(order.id, buyer.token);
    expect(res.response.status).to.equal(201);
    const calls = stripe.callsTo('payment_intents');
    expect(calls).to.have.length(3);
    expect(new Set(calls.map((c) => c.idempotencyKey)).size).to.equal(1);
  });

  it('never retries a 4xx: one call, 502 provider-rejected, nothing stored', async () => {
    const { buyer, order } = await unpaidOrder();
    stripe.faults.payment_intents.push({ status: 400 });
    const res = await payWithStripe(order.id, buyer.token);
    expect(res.response.status).to.equal(502);
    expect(res.error?.code).to.equal('provider-rejected');
    expect(stripe.callsTo('payment_intents')).to.have.length(1);
    expect(await paymentCount(order.id)).to.equal(0);
  });

  it('times out each attempt, answers 502 provider-timeout after the retries, and a retry then gets the PaymentIntent Stripe made meanwhile', async () => {
    const { buyer, order } = await unpaidOrder();
    stripe.faults.payment_intents.push({ delayMs: 1500 }, { delayMs: 1500 }, { delayMs: 1500 });
    const started = Date.now();
    const failed = await payWithStripe(order.id, buyer.token, 'pay-once');
    expect(failed.response.status).to.equal(502);
    expect(failed.error?.code).to.equal('provider-timeout');
    expect(Date.now() - started).to.be.below(3000);
    expect(stripe.callsTo('payment_intents')).to.have.length(3);
    // The attempt stays recorded, without a PaymentIntent yet: Stripe may have made one.
    expect(await query('SELECT status, provider_payment_id FROM payments WHERE order_id = $1', [order.id])).to.deep.equal([
      { status: 'pending', provider_payment_id: null },
    ]);
    expect((await query('SELECT status FROM orders WHERE id = $1', [order.id]))[0].status).to.equal('pending_payment');

    const retried = await payWithStripe(order.id, buyer.token, 'pay-once');
    expect(retried.response.status).to.equal(201);
    expect(await paymentCount(order.id)).to.equal(1);
    // Same key as the timed-out calls: Stripe answers with the PaymentIntent it made then.
    expect(new Set(stripe.callsTo('payment_intents').map((c) => c.idempotencyKey)).size).to.equal(1);
    expect(stripe.intents.size).to.equal(1);
    expect(retried.data?.reference).to.equal([...stripe.intents.keys()][0]);
  });

  it('answers 502 for a redirect, a malformed body and an oversized body, never following or crashing', async () => {
    const { buyer, order } = await unpaidOrder();
    const faults = [{ redirect: 'https://evil.fake.test/v1/payment_intents' }, { garbage: true as const }, { oversizedBytes: 200_000 }];
    for (const fault of faults) {
      stripe.faults.payment_intents.push(fault);
      const res = await payWithStripe(order.id, buyer.token);
      expect(res.response.status, JSON.stringify(fault).slice(0, 40)).to.equal(502);
      expect(res.error?.code).to.equal('provider-bad-response');
    }
    expect(stripe.calls.every((c) => c.path === '/v1/payment_intents')).to.equal(true);
    expect(await paymentCount(order.id)).to.equal(0);
    expect((await payWithStripe(order.id, buyer.token)).response.status).to.equal(201);
  });

  it('opens the breaker after repeated failures (503 without calling), then lets one probe through and closes', async function () {
    this.timeout(30_000);
    const env = { ...providerEnv, PROVIDER_BREAKER_THRESHOLD: '2', PROVIDER_BREAKER_HALF_OPEN_AFTER_MS: '500', PROVIDER_RETRY_MAX_ATTEMPTS: '0' };
    await withSecondService(env, async (base) => {
      const { buyer, order } = await unpaidOrder();
      const token = (await login(buyer.email, buyer.password)).accessToken;
      const pay = () => client(token, base).POST('/api/v1/orders/{id}/payments', { params: { path: { id: order.id } }, body: { provider: 'stripe' } });
      stripe.faults.payment_intents.push({ status: 503 }, { status: 502 });
      expect((await pay()).response.status).to.equal(502);
      expect((await pay()).response.status).to.equal(502);
      const open = await pay();
      expect(open.response.status).to.equal(503);
      expect(open.response.headers.get('retry-after')).to.equal('1');
      expect(open.error?.code).to.equal('provider-unavailable');
      expect(stripe.callsTo('payment_intents')).to.have.length(2);

      await new Promise((r) => setTimeout(r, 600));
      const probe = await pay();
      expect(probe.response.status).to.equal(201);
      expect(stripe.callsTo('payment_intents')).to.have.length(3);
      expect(await paymentCount(order.id)).to.equal(1);
    });
  });

  it('offers only manual providers when no keys are configured: 422 naming the settings, the service still runs', async function () {
    this.timeout(30_000);
    await withSecondService({}, async (base) => {
      const { order } = await unpaidOrder();
      const admin = await asAdmin();
      const staff = client(admin, base);
      const onOrder = { params: { path: { id: order.id } } };
      const stripeRes = await staff.POST('/api/v1/orders/{id}/payments', { ...onOrder, body: { provider: 'stripe' } });
      expect(stripeRes.response.status).to.equal(422);
      expect(stripeRes.error?.code).to.equal('provider-not-configured');
      expect(stripeRes.error?.detail).to.contain('STRIPE_SECRET_KEY').and.contain('STRIPE_WEBHOOK_SECRET');
      const hook = await staff.POST('/api/v1/webhooks/shipping/easypost', {
        params: { header: { 'X-Hmac-Signature': 'hmac-sha256-hex=00' } },
        body: {},
        bodySerializer: () => JSON.stringify({ id: 'evt_1' }),
      });
      expect(hook.response.status).to.equal(422);
      expect(hook.error?.detail).to.contain('EASYPOST_API_KEY');
      expect(stripe.calls).to.have.length(0);

      const manual = await staff.POST('/api/v1/orders/{id}/payments', { ...onOrder, body: { provider: 'manual', reference: 'wire 42' } });
      expect(manual.response.status).to.equal(201);
      const cancelled = await staff.POST('/api/v1/orders/{id}/cancel', { ...onOrder, body: {} });
      expect(cancelled.response.status).to.equal(200);
      expect(cancelled.data?.payments[0]?.status).to.equal('refunded');
    });
  });
});
