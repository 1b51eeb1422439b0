import { expect } from 'chai';
import { ok, asAdmin, customer, createProduct, ADDRESS, placeOrder, type Schemas } from '../../support/api';
import { client } from '../../support/client';
import { query } from '../../support/database';
import { withSecondService } from '../../support/services';

function placeOn(baseUrl: string, token: string, items: Schemas['OrderLineRequest'][], extra: Partial<Schemas['CreateOrderRequest']> = {}) {
  return client(token, baseUrl).POST('/api/v1/orders', { body: { items, shippingAddress: ADDRESS, ...extra } });
}

async function stock(productId: string): Promise<{ reserved: number }> {
  const [row] = await query<{ reserved: number }>('SELECT reserved FROM products WHERE id = $1', [productId]);
  return row!;
}

async function ordersOf(customerId: string): Promise<number> {
  const [row] = await query<{ n: number }>('SELECT count(*)::int AS n FROM orders WHERE customer_id = $1', [customerId]);
  return row!.n;
}

describe('Customer limits', () => {
  describe('MAX_UNITS_PER_LINE_CUSTOMER (default 500)', () => {
    it('refuses a customer line over 500 units with 422 line-quantity-over-limit naming the limit and the product; nothing reserved', async () => {
      const product = await createProduct({ initialStock: 2000, unitPriceCents: 1, vatRate: 0 });
      const other = await createProduct({ initialStock: 10, unitPriceCents: 1, vatRate: 0 });
      const buyer = await customer();
      const res = await placeOrder(buyer.token, [
        { productId: other.id, quantity: 1 },
        { productId: product.id, quantity: 501 },
      ]);
      expect(res.response.status).to.equal(422);
      expect(res.response.headers.get('content-type')).to.match(/application\/problem\+json/);
      expect(res.error?.code).to.equal('line-quantity-over-limit');
      expect(res.error?.limit).to.equal(500);
      expect(res.error?.productIds).to.deep.equal([product.id]);
      expect(res.error?.detail).to.contain('500');
      expect((await stock(product.id)).reserved).to.equal(0);
      expect((await stock(other.id)).reserved).to.equal(0);
      expect(await ordersOf(buyer.id)).to.equal(0);
      expect((await placeOrder(buyer.token, [{ productId: product.id, quantity: 500 }])).response.status).to.equal(201);
    });

    it('lets staff order more for a customer', async () => {
      const product = await createProduct({ initialStock: 2000, unitPriceCents: 1, vatRate: 0 });
      const buyer = await customer();
      const res = await placeOrder(await asAdmin(), [{ productId: product.id, quantity: 1500 }], { customerId: buyer.id });
      expect(res.response.status).to.equal(201);
      expect((await stock(product.id)).reserved).to.equal(1500);
    });
  });

  describe('MAX_ORDER_GROSS_CENTS_CUSTOMER (default 1000000)', () => {
    it('refuses a customer order over €10,000 gross with 422 order-total-over-limit; nothing reserved', async () => {
      const product = await createProduct({ initialStock: 100, unitPriceCents: 100_000, vatRate: 22 });
      const buyer = await customer();
      // 8 × €1,000 + 22 % VAT = €9,760: allowed; 9 units = €10,980: refused.
      const res = await placeOrder(buyer.token, [{ productId: product.id, quantity: 9 }]);
      expect(res.response.status).to.equal(422);
      expect(res.error?.code).to.equal('order-total-over-limit');
      expect(res.error?.limit).to.equal(1_000_000);
      expect(res.error?.grossCents).to.equal(1_098_000);
      expect((await stock(product.id)).reserved).to.equal(0);
      expect(await ordersOf(buyer.id)).to.equal(0);
      const ok = await placeOrder(buyer.token, [{ productId: product.id, quantity: 8 }]);
      expect(ok.response.status).to.equal(201);
      expect(ok.data?.totals.grossCents).to.equal(976_000);
    });

    it('lets staff place a larger order for a customer', async () => {
      const product = await createProduct({ initialStock: 100, unitPriceCents: 100_000, vatRate: 22 });
      const buyer = await customer();
      expect((await placeOrder(await asAdmin(), [{ productId: product.id, quantity: 20 }], { customerId: buyer.id })).response.status).to.equal(201);
    });
  });

  describe('MAX_OPEN_UNPAID_ORDERS_PER_CUSTOMER (default 3)', () => {
    it('holds a customer to 3 unpaid orders even with 20 placed at once; staff are exempt', async function () {
      this.timeout(60_000);
      const product = await createProduct({ initialStock: 10, unitPriceCents: 100 });
      const buyer = await customer();
      // The suite's harness turns this limit off; this instance has it at its default.
      await withSecondService({ MAX_OPEN_UNPAID_ORDERS_PER_CUSTOMER: '3' }, async (baseUrl) => {
        const results = await Promise.all(Array.from({ length: 20 }, () => placeOn(baseUrl, buyer.token, [{ productId: product.id, quantity: 1 }])));
        const statuses = results.map((r) => r.response.status).sort();
        expect(statuses.filter((s) => s === 201)).to.have.length(3);
        const refused = results.filter((r) => r.response.status !== 201);
        expect(refused).to.have.length(17);
        for (const r of refused) {
          expect(r.response.status).to.equal(409);
          expect(r.response.headers.get('content-type')).to.match(/application\/problem\+json/);
          expect(r.error?.code).to.equal('too-many-open-orders');
          expect(r.error?.limit).to.equal(3);
        }
        expect(await ordersOf(buyer.id)).to.equal(3);
        expect((await stock(product.id)).reserved).to.equal(3);

        // Staff still order for this customer.
        expect((await placeOn(baseUrl, await asAdmin(), [{ productId: product.id, quantity: 1 }], { customerId: buyer.id })).response.status).to.equal(201);
        // Cancelling one frees a place.
        const placed = ok(results.find((r) => r.response.status === 201)!);
        const cancel = await client(buyer.token, baseUrl).POST('/api/v1/orders/{id}/cancel', { params: { path: { id: placed.id } }, body: {} });
        expect(cancel.response.status).to.equal(200);
        // The staff order counts too: 3 open (2 + staff's), so still refused.
        expect((await placeOn(baseUrl, buyer.token, [{ productId: product.id, quantity: 1 }])).response.status).to.equal(409);
      });
    });

    it('turns each limit off with 0', async function () {
      this.timeout(60_000);
      const product = await createProduct({ initialStock: 3000, unitPriceCents: 100_000, vatRate: 22 });
      const buyer = await customer();
      const env = { MAX_OPEN_UNPAID_ORDERS_PER_CUSTOMER: '0', MAX_UNITS_PER_LINE_CUSTOMER: '0', MAX_ORDER_GROSS_CENTS_CUSTOMER: '0' };
      await withSecondService(env, async (baseUrl) => {
        for (let i = 0; i < 4; i += 1) {
          expect((await placeOn(baseUrl, buyer.token, [{ productId: product.id, quantity: 501 }])).response.status).to.equal(201);
        }
      });
      expect(await ordersOf(buyer.id)).to.equal(4);
    });
  });
});
