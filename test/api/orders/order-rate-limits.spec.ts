import { expect } from 'chai';
import { asAdmin, customer, createProduct, ADDRESS, placedOrder, type Schemas } from '../../support/api';
import { client } from '../../support/client';
import { query } from '../../support/database';
import { FakeStripe } from '../../support/fakes/stripe.fake';
import { providerEnv } from '../../support/hooks';
import { withSecondService } from '../../support/services';

function expectRateLimited(res: { response: Response; error?: { code: string } }, name: string, quota: number) {
  const headers = res.response.headers;
  expect(res.response.status).to.equal(429);
  expect(headers.get('content-type')).to.match(/application\/problem\+json/);
  expect(res.error?.code).to.equal('rate-limited');
  const retryAfter = Number(headers.get('retry-after'));
  expect(retryAfter).to.be.within(1, 60);
  expect(headers.get('ratelimit-policy')).to.equal(`"${name}";q=${quota};w=60`);
  expect(headers.get('ratelimit')).to.equal(`"${name}";r=0;t=${retryAfter}`);
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
      const place = (token: string) => client(token, baseUrl).POST('/api/v1/orders', { body: order });
      for (let i = 0; i < 30; i += 1) expect((await place(buyer.token)).response.status).to.equal(201);
      expectRateLimited(await place(buyer.token), 'orders', 30);
      expect(await countOf('SELECT count(*)::int AS n FROM orders WHERE customer_id = $1', buyer.id)).to.equal(30);
      expect((await query('SELECT reserved FROM products WHERE id = $1', [product.id]))[0].reserved).to.equal(30);
      // Another user has an allowance of its own.
      expect((await place(other.token)).response.status).to.equal(201);
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
        const pay = (id: string, token: string, body: Schemas['CreatePaymentRequest']) =>
          client(token, baseUrl).POST('/api/v1/orders/{id}/payments', { params: { path: { id } }, body });
        for (const id of orders.slice(0, 10)) expect((await pay(id, buyer.token, { provider: 'stripe' })).response.status).to.equal(201);
        const refused = await pay(orders[10]!, buyer.token, { provider: 'stripe' });
        expectRateLimited(refused, 'payments', 10);
        expect(await countOf('SELECT count(*)::int AS n FROM payments WHERE order_id = $1', orders[10]!)).to.equal(0);
        expect(stripe.callsTo('payment_intents')).to.have.length(10);
        // Staff have their own allowance.
        expect((await pay(orders[10]!, await asAdmin(), { provider: 'manual', reference: 'bank' })).response.status).to.equal(201);
      });
    });
  });
});
