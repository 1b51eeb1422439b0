import { expect } from 'chai';
import { asAdmin, customer, createProduct, ADDRESS, placedOrder } from '../../support/api';
import { query } from '../../support/database';
import { FakeStripe } from '../../support/fakes/stripe.fake';
import { providerEnv, withSecondService } from '../../support/hooks';
import { postOn } from './on-instance';

function expectRateLimited(res: { status: number; headers: Headers; body: any }, name: string, quota: number) {
  expect(res.status).to.equal(429);
  expect(res.headers.get('content-type')).to.match(/application\/problem\+json/);
  expect(res.body.code).to.equal('rate-limited');
  const retryAfter = Number(res.headers.get('retry-after'));
  expect(retryAfter).to.be.within(1, 60);
  expect(res.headers.get('ratelimit-policy')).to.equal(`"${name}";q=${quota};w=60`);
  expect(res.headers.get('ratelimit')).to.equal(`"${name}";r=0;t=${retryAfter}`);
}

const countOf = async (sql: string, id: string) => (await query<{ n: number }>(sql, [id]))[0]!.n;

describe('Rate limits on orders and payments', () => {
  it('limits order creation per user (RATE_LIMIT_ORDERS_PER_MINUTE, default 30), storing nothing past it', async function () {
    this.timeout(60_000);
    const product = await createProduct({ initialStock: 100, unitPriceCents: 100 });
    const buyer = await customer();
    const other = await customer();
    const order = { items: [{ productId: product.id, quantity: 1 }], shippingAddress: ADDRESS };
    // The suite's harness turns this limit off; this instance has it at its default.
    await withSecondService({ RATE_LIMIT_ORDERS_PER_MINUTE: '30' }, async (baseUrl) => {
      for (let i = 0; i < 30; i += 1) expect((await postOn(baseUrl, '/api/v1/orders', buyer.token, order)).status).to.equal(201);
      expectRateLimited(await postOn(baseUrl, '/api/v1/orders', buyer.token, order), 'orders', 30);
      expect(await countOf('SELECT count(*)::int AS n FROM orders WHERE customer_id = $1', buyer.id)).to.equal(30);
      expect((await query('SELECT reserved FROM products WHERE id = $1', [product.id]))[0].reserved).to.equal(30);
      // Another user has an allowance of its own.
      expect((await postOn(baseUrl, '/api/v1/orders', other.token, order)).status).to.equal(201);
    });
  });

  describe('payments', () => {
    let stripe: FakeStripe;
    beforeEach(() => {
      stripe = new FakeStripe().install();
    });
    afterEach(() => stripe.uninstall());

    it('limits payment creation per user (RATE_LIMIT_PAYMENTS_PER_MINUTE, default 10): no PaymentIntent past it', async function () {
      this.timeout(60_000);
      const product = await createProduct({ initialStock: 100, unitPriceCents: 100 });
      const buyer = await customer();
      const orders: string[] = [];
      for (let i = 0; i < 11; i += 1) orders.push((await placedOrder(buyer.token, [{ productId: product.id, quantity: 1 }])).id);
      await withSecondService({ ...providerEnv, RATE_LIMIT_PAYMENTS_PER_MINUTE: '10' }, async (baseUrl) => {
        for (const id of orders.slice(0, 10)) {
          expect((await postOn(baseUrl, `/api/v1/orders/${id}/payments`, buyer.token, { provider: 'stripe' })).status).to.equal(201);
        }
        const refused = await postOn(baseUrl, `/api/v1/orders/${orders[10]}/payments`, buyer.token, { provider: 'stripe' });
        expectRateLimited(refused, 'payments', 10);
        expect(await countOf('SELECT count(*)::int AS n FROM payments WHERE order_id = $1', orders[10]!)).to.equal(0);
        expect(stripe.callsTo('payment_intents')).to.have.length(10);
        // Staff have their own allowance.
        expect((await postOn(baseUrl, `/api/v1/orders/${orders[10]}/payments`, await asAdmin(), { provider: 'manual', reference: 'bank' })).status).to.equal(201);
      });
    });
  });
});
