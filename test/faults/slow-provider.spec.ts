import { expect } from 'chai';
import { call } from '../../test-kit/service-process';
import { h, providerEnv } from '../support/hooks';
import { startSecondService, type SecondService } from '../support/services';
import { FakeStripe } from '../support/fakes/stripe.fake';
import { ADDRESS, openShop } from './fault-service';

const PAYERS = 16;
const STRIPE_DELAY_MS = 6000;
const BUDGET_MS = 1500;

async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const started = Date.now();
  const value = await fn();
  return { ms: Date.now() - started, value };
}

/**
 * Stripe answering in 6 s while 16 customers pay, on a pool of 10 connections: were a connection
 * or the order's lock held across the call, the pool would be exhausted and every other request
 * would wait for Stripe.
 */
describe('A slow payment provider does not stall the service (fault suite)', function () {
  this.timeout(120_000);
  // A second service in this process (nock answers for Stripe only here), on the suite's database,
  // with a pool of 10.
  let service: SecondService;
  let stripe: FakeStripe;

  before(async () => {
    stripe = new FakeStripe().install();
    service = await startSecondService({
      ...providerEnv,
      DB_POOL_MAX: '10',
      PROVIDER_TIMEOUT_MS: String(STRIPE_DELAY_MS * 2),
      PROVIDER_RETRY_MAX_ATTEMPTS: '0',
    });
  });
  after(async () => {
    stripe.uninstall();
    await service?.stop();
  });

  it('answers GET /products and POST /orders within 1.5 s while 16 payments wait 6 s for Stripe, then stores the 16 payments, one PaymentIntent each', async () => {
    const base = service.baseUrl;
    const shop = await openShop(base, 'SLOW-STRIPE-1');
    const orders: string[] = [];
    for (let i = 0; i < PAYERS; i += 1) {
      const placed = await shop.order();
      expect(placed.status).to.equal(201);
      orders.push(placed.body.id as string);
    }
    expect((await call(base, 'GET', '/api/v1/products?limit=20', shop.token)).status).to.equal(200); // warm

    stripe.faults.payment_intents.push(...Array.from({ length: PAYERS }, () => ({ delayMs: STRIPE_DELAY_MS })));
    const paying = orders.map((id) => timed(() => call(base, 'POST', `/api/v1/orders/${id}/payments`, shop.token, { provider: 'stripe' })));
    const deadline = Date.now() + 3000;
    while (stripe.callsTo('payment_intents').length < PAYERS && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    const waitingForStripe = stripe.callsTo('payment_intents').length;

    // Meanwhile: lists, new orders, and the paying orders' rows themselves are free.
    const samples: { what: string; ms: number; status: number }[] = [];
    for (let round = 0; round < 3; round += 1) {
      const list = await timed(() => call(base, 'GET', '/api/v1/products?limit=20', shop.token));
      samples.push({ what: 'GET /products', ms: list.ms, status: list.value.status });
      const order = await timed(() =>
        call(base, 'POST', '/api/v1/orders', shop.token, { items: [{ productId: shop.product.id, quantity: 1 }], shippingAddress: ADDRESS }),
      );
      samples.push({ what: 'POST /orders', ms: order.ms, status: order.value.status });
    }
    const locking = await h()
      .db.query('SELECT id FROM orders WHERE id = ANY($1::uuid[]) FOR UPDATE NOWAIT', [orders])
      .catch((err: Error) => err);
    const stillWaiting = stripe.intents.size;

    const paid = await Promise.all(paying);
    for (const s of samples) {
      expect(s.status, s.what).to.be.oneOf([200, 201]);
      expect(s.ms, `${s.what} during the stall`).to.be.below(BUDGET_MS);
    }
    expect(waitingForStripe, 'all 16 payments were waiting for Stripe at once').to.equal(PAYERS);
    expect(stillWaiting, 'the samples ran while Stripe was still answering').to.equal(0);
    expect(locking instanceof Error ? locking.message : locking.rowCount, 'no paying order is locked during the call').to.equal(PAYERS);
    expect(paid.map((p) => p.value.status)).to.deep.equal(Array(PAYERS).fill(201));
    expect(Math.min(...paid.map((p) => p.ms))).to.be.at.least(STRIPE_DELAY_MS - 100);

    const rows = (await h().db.query('SELECT order_id, status, provider_payment_id FROM payments WHERE order_id = ANY($1::uuid[])', [orders])).rows;
    expect(rows).to.have.length(PAYERS);
    expect(rows.every((r) => r.status === 'pending' && typeof r.provider_payment_id === 'string')).to.equal(true);
    expect(new Set(rows.map((r) => r.provider_payment_id)).size).to.equal(PAYERS);
    expect(stripe.callsTo('payment_intents')).to.have.length(PAYERS);
    expect(stripe.intents.size).to.equal(PAYERS);
    for (const p of paid) expect(stripe.intents.get(p.value.body.reference)?.metadata['orderId']).to.equal(p.value.body.orderId);
  });
});
