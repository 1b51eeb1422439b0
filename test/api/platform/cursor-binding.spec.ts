import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { api, asAdmin, createProduct, customer, placeOrder } from '../../support/api';

/** A cursor is a position in one list: reused with another sort or filter it is refused, not misread. */
describe('cursors bound to their sort and filters', () => {
  it('pages products with one cursor per list, and refuses it with another q, category or sort (400 invalid-cursor)', async () => {
    const token = await asAdmin();
    const category = `cur-${randomUUID().slice(0, 8)}`;
    for (let i = 0; i < 3; i += 1) await createProduct({ category, name: `Penna gel ${i} ${category}` });
    const first = await api('GET', `/api/v1/products?category=${category}&limit=2&sort=name`, { token });
    expect(first.status).to.equal(200);
    const cursor = first.body.nextCursor as string;
    expect(cursor).to.be.a('string');

    const next = await api('GET', `/api/v1/products?category=${category}&sort=name&limit=5&cursor=${cursor}`, { token });
    expect(next.status, 'same list, another limit').to.equal(200);
    expect(next.body.items).to.have.length(1);

    for (const other of [`category=${category}&sort=-name`, `category=other-${category}&sort=name`, `category=${category}&sort=name&q=penna`, 'sort=name']) {
      const refused = await api('GET', `/api/v1/products?${other}&limit=2&cursor=${cursor}`, { token });
      expect(refused.status, other).to.equal(400);
      expect(refused.body.code).to.equal('invalid-cursor');
    }
  });

  it("refuses an order cursor with another status filter, and one customer's cursor for another customer", async () => {
    const buyer = await customer();
    const product = await createProduct({ initialStock: 50 });
    for (let i = 0; i < 3; i += 1) expect((await placeOrder(buyer.token, [{ productId: product.id, quantity: 1 }])).status).to.equal(201);
    const staff = await asAdmin();
    const first = await api('GET', `/api/v1/orders?customerId=${buyer.id}&status=pending_payment&limit=2`, { token: staff });
    const cursor = first.body.nextCursor as string;
    expect(cursor).to.be.a('string');
    expect((await api('GET', `/api/v1/orders?customerId=${buyer.id}&status=pending_payment&limit=2&cursor=${cursor}`, { token: staff })).status).to.equal(200);
    const otherStatus = await api('GET', `/api/v1/orders?customerId=${buyer.id}&status=cancelled&limit=2&cursor=${cursor}`, { token: staff });
    expect(otherStatus.status).to.equal(400);
    expect(otherStatus.body.code).to.equal('invalid-cursor');

    const own = await api('GET', '/api/v1/orders?limit=2', { token: buyer.token });
    expect(own.body.nextCursor).to.be.a('string');
    const mine = await api('GET', `/api/v1/orders?limit=2&cursor=${own.body.nextCursor as string}`, { token: buyer.token });
    expect(mine.status).to.equal(200);
    expect(mine.body.items).to.have.length(1);
    const stranger = await customer();
    const borrowed = await api('GET', `/api/v1/orders?limit=2&cursor=${own.body.nextCursor as string}`, { token: stranger.token });
    expect(borrowed.status).to.equal(400);
    expect(borrowed.body.code).to.equal('invalid-cursor');
  });
});
