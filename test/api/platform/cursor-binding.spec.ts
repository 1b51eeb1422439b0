import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { asAdmin, customer, createProduct, placeOrder } from '../../support/api';
import { client } from '../../support/client';

/** A cursor is a position in one list: reused with another sort or filter it is refused, not misread. */
describe('cursors bound to their sort and filters', () => {
  it('pages products with one cursor per list, and refuses it with another q, category or sort (400 invalid-cursor)', async () => {
    const token = await asAdmin();
    const category = `cur-${randomUUID().slice(0, 8)}`;
    for (let i = 0; i < 3; i += 1) await createProduct({ category, name: `Penna gel ${i} ${category}` });
    const first = await client(token).GET('/api/v1/products', { params: { query: { category, limit: 2, sort: 'name' } } });
    expect(first.response.status).to.equal(200);
    const cursor = first.data?.nextCursor as string;
    expect(cursor).to.be.a('string');

    const next = await client(token).GET('/api/v1/products', { params: { query: { category, sort: 'name', limit: 5, cursor } } });
    expect(next.response.status, 'same list, another limit').to.equal(200);
    expect(next.data?.items).to.have.length(1);

    const others = [
      { category, sort: '-name' },
      { category: `other-${category}`, sort: 'name' },
      { category, sort: 'name', q: 'penna' },
      { sort: 'name' },
    ] as const;
    for (const other of others) {
      const refused = await client(token).GET('/api/v1/products', { params: { query: { ...other, limit: 2, cursor } } });
      expect(refused.response.status, JSON.stringify(other)).to.equal(400);
      expect(refused.error?.code).to.equal('invalid-cursor');
    }
  });

  it("refuses an order cursor with another status filter, and one customer's cursor for another customer", async () => {
    const buyer = await customer();
    const product = await createProduct({ initialStock: 50 });
    for (let i = 0; i < 3; i += 1) expect((await placeOrder(buyer.token, [{ productId: product.id, quantity: 1 }])).response.status).to.equal(201);
    const staff = await asAdmin();
    const first = await client(staff).GET('/api/v1/orders', { params: { query: { customerId: buyer.id, status: ['pending_payment'], limit: 2 } } });
    const cursor = first.data?.nextCursor as string;
    expect(cursor).to.be.a('string');
    expect(
      (await client(staff).GET('/api/v1/orders', { params: { query: { customerId: buyer.id, status: ['pending_payment'], limit: 2, cursor } } })).response
        .status,
    ).to.equal(200);
    const otherStatus = await client(staff).GET('/api/v1/orders', { params: { query: { customerId: buyer.id, status: ['cancelled'], limit: 2, cursor } } });
    expect(otherStatus.response.status).to.equal(400);
    expect(otherStatus.error?.code).to.equal('invalid-cursor');

    const own = await client(buyer.token).GET('/api/v1/orders', { params: { query: { limit: 2 } } });
    expect(own.data?.nextCursor).to.be.a('string');
    const mine = await client(buyer.token).GET('/api/v1/orders', { params: { query: { limit: 2, cursor: own.data?.nextCursor as string } } });
    expect(mine.response.status).to.equal(200);
    expect(mine.data?.items).to.have.length(1);
    const stranger = await customer();
    const borrowed = await client(stranger.token).GET('/api/v1/orders', { params: { query: { limit: 2, cursor: own.data?.nextCursor as string } } });
    expect(borrowed.response.status).to.equal(400);
    expect(borrowed.error?.code).to.equal('invalid-cursor');
  });
});
