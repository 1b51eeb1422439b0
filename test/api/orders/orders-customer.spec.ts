import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { rawRequest, ok, problemOf, asAdmin, createUser, operator, customer, createProduct, placeOrder, placedOrder } from '../../support/api';
import { client } from '../../support/client';

const named = (name: string) => createUser('customer', { name, email: `${name.toLowerCase().replace(/\W+/g, '.')}-${randomUUID().slice(0, 8)}@example.test` });
const ids = (res: { data?: { items: { id: string }[] }; response: Response }) => ok(res).items.map((o) => o.id);

async function pay(orderId: string, token: string): Promise<void> {
  expect(
    (await client(token).POST('/api/v1/orders/{id}/payments', { params: { path: { id: orderId } }, body: { provider: 'manual' } })).response.status,
  ).to.equal(201);
}

describe('Orders: the customer summary, several statuses and search by customer', () => {
  it('carries the customer summary on placement, the order and the list, for staff and for the customer itself', async () => {
    const op = await operator();
    const buyer = await named(`Cartoleria ${randomUUID().slice(0, 6)}`);
    const p = await createProduct();
    const res = await placeOrder(op.token, [{ productId: p.id, quantity: 1 }], { customerId: buyer.id });
    expect(res.response.status).to.equal(201);
    const placed = ok(res);
    const summary = { id: buyer.id, name: placed.customer.name, email: buyer.email };
    expect(placed.customer).to.deep.equal(summary);
    expect(summary.name).to.match(/^Cartoleria /);

    const one = await client(op.token).GET('/api/v1/orders/{id}', { params: { path: { id: placed.id } } });
    expect(one.data?.customer).to.deep.equal(summary);
    const list = await client(op.token).GET('/api/v1/orders', { params: { query: { customerId: buyer.id } } });
    expect(list.data?.items.map((o) => o.customer)).to.deep.equal([summary]);

    const own = await client(buyer.token).GET('/api/v1/orders');
    expect(own.data?.items.map((o) => o.customer)).to.deep.equal([summary]);
    expect((await client(buyer.token).GET('/api/v1/orders/{id}', { params: { path: { id: placed.id } } })).data?.customer).to.deep.equal(summary);
  });

  it('shows the name the customer has now, and every customer of a page in one list', async () => {
    const op = await operator();
    const tag = randomUUID().slice(0, 8);
    const [a, b] = await Promise.all([named(`Ufficio Alfa ${tag}`), named(`Ufficio Beta ${tag}`)]);
    const p = await createProduct();
    const first = await placedOrder(a.token, [{ productId: p.id, quantity: 1 }]);
    const second = await placedOrder(b.token, [{ productId: p.id, quantity: 1 }]);
    expect(
      (await client(await asAdmin()).PATCH('/api/v1/users/{id}', { params: { path: { id: a.id } }, body: { name: `Ufficio Alfa Due ${tag}` } })).response
        .status,
    ).to.equal(200);
    const cancelled = await client(op.token).POST('/api/v1/orders/{id}/cancel', { params: { path: { id: first.id } }, body: {} });
    expect(cancelled.data?.customer).to.deep.equal({ id: a.id, name: `Ufficio Alfa Due ${tag}`, email: a.email });
    const list = await client(op.token).GET('/api/v1/orders', { params: { query: { q: tag, limit: 100 } } });
    expect(list.data?.items.map((o) => [o.id, o.customer.name])).to.deep.equal([
      [second.id, `Ufficio Beta ${tag}`],
      [first.id, `Ufficio Alfa Due ${tag}`],
    ]);
  });

  it('filters by several statuses repeated in the query, and refuses an unknown status or a comma list with 400', async () => {
    const op = await operator();
    const buyer = await customer();
    const p = await createProduct();
    const place = async () => (await placedOrder(buyer.token, [{ productId: p.id, quantity: 1 }])).id;
    const pending = await place();
    const paid = await place();
    const preparing = await place();
    await pay(paid, op.token);
    await pay(preparing, op.token);
    expect(
      (await client(op.token).POST('/api/v1/orders/{id}/status', { params: { path: { id: preparing } }, body: { status: 'in_preparation' } })).response.status,
    ).to.equal(200);

    const board = await client(op.token).GET('/api/v1/orders', { params: { query: { customerId: buyer.id, status: ['paid', 'in_preparation'] } } });
    expect(board.response.status).to.equal(200);
    expect(ids(board)).to.deep.equal([preparing, paid]);
    const single = await client(op.token).GET('/api/v1/orders', { params: { query: { customerId: buyer.id, status: ['pending_payment'] } } });
    expect(ids(single)).to.deep.equal([pending]);

    // Values outside the contract's enum: sent raw.
    for (const bad of ['status=paid,in_preparation', 'status=lost', 'status=paid&status=lost']) {
      const res = await rawRequest('GET', `/api/v1/orders?customerId=${buyer.id}&${bad}`, { token: op.token });
      expect(res.status, bad).to.equal(400);
      expect(problemOf(res).code, bad).to.equal('validation-failed');
    }
  });

  it('matches q against the customer name or email for staff, keeps the order-number match, and never widens a customer search', async () => {
    const op = await operator();
    const tag = randomUUID().slice(0, 8);
    const buyer = await named(`Libreria ${tag}`);
    const other = await customer();
    const p = await createProduct();
    const order = await placedOrder(buyer.token, [{ productId: p.id, quantity: 1 }]);
    const unrelated = await placedOrder(other.token, [{ productId: p.id, quantity: 1 }]);
    const search = (q: string, token = op.token) => client(token).GET('/api/v1/orders', { params: { query: { q, limit: 100 } } });

    expect(ids(await search(`libreria ${tag.toUpperCase()}`))).to.deep.equal([order.id]);
    expect(ids(await search(buyer.email.split('@')[0]!))).to.deep.equal([order.id]);
    expect(ids(await search(order.number))).to.deep.equal([order.id]);
    expect(ids(await search(unrelated.number))).to.deep.equal([unrelated.id]);
    // LIKE wildcards are literal: '%' matches no name.
    expect(ids(await search('%'))).to.deep.equal([]);
    // A customer's q matches only its own order numbers.
    expect(ids(await search(`Libreria ${tag}`, other.token))).to.deep.equal([]);
    expect(ids(await search(order.number, other.token))).to.deep.equal([]);
  });
});
