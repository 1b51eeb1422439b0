import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { api, asAdmin, createProduct, createUser, customer, operator, placeOrder } from '../../support/api';

const named = (name: string) => createUser('customer', { name, email: `${name.toLowerCase().replace(/\W+/g, '.')}-${randomUUID().slice(0, 8)}@example.test` });
const ids = (res: { body: { items: { id: string }[] } }) => res.body.items.map((o) => o.id);

async function pay(orderId: string, token: string): Promise<void> {
  expect((await api('POST', `/api/v1/orders/${orderId}/payments`, { token, body: { provider: 'manual' } })).status).to.equal(201);
}

describe('Orders: the customer summary, several statuses and search by customer', () => {
  it('carries the customer summary on placement, the order and the list, for staff and for the customer itself', async () => {
    const op = await operator();
    const buyer = await named(`Cartoleria ${randomUUID().slice(0, 6)}`);
    const p = await createProduct();
    const placed = await placeOrder(op.token, [{ productId: p.id, quantity: 1 }], { customerId: buyer.id });
    expect(placed.status).to.equal(201);
    const summary = { id: buyer.id, name: placed.body.customer.name, email: buyer.email };
    expect(placed.body.customer).to.deep.equal(summary);
    expect(summary.name).to.match(/^Cartoleria /);

    const one = await api('GET', `/api/v1/orders/${placed.body.id}`, { token: op.token });
    expect(one.body.customer).to.deep.equal(summary);
    const list = await api('GET', `/api/v1/orders?customerId=${buyer.id}`, { token: op.token });
    expect(list.body.items.map((o: any) => o.customer)).to.deep.equal([summary]);

    const own = await api('GET', '/api/v1/orders', { token: buyer.token });
    expect(own.body.items.map((o: any) => o.customer)).to.deep.equal([summary]);
    expect((await api('GET', `/api/v1/orders/${placed.body.id}`, { token: buyer.token })).body.customer).to.deep.equal(summary);
  });

  it('shows the name the customer has now, and every customer of a page in one list', async () => {
    const op = await operator();
    const tag = randomUUID().slice(0, 8);
    const [a, b] = await Promise.all([named(`Ufficio Alfa ${tag}`), named(`Ufficio Beta ${tag}`)]);
    const p = await createProduct();
    const first = (await placeOrder(a.token, [{ productId: p.id, quantity: 1 }])).body;
    const second = (await placeOrder(b.token, [{ productId: p.id, quantity: 1 }])).body;
    expect((await api('PATCH', `/api/v1/users/${a.id}`, { token: await asAdmin(), body: { name: `Ufficio Alfa Due ${tag}` } })).status).to.equal(200);
    const cancelled = await api('POST', `/api/v1/orders/${first.id}/cancel`, { token: op.token, body: {} });
    expect(cancelled.body.customer).to.deep.equal({ id: a.id, name: `Ufficio Alfa Due ${tag}`, email: a.email });
    const list = await api('GET', `/api/v1/orders?q=${tag}&limit=100`, { token: op.token });
    expect(list.body.items.map((o: any) => [o.id, o.customer.name])).to.deep.equal([
      [second.id, `Ufficio Beta ${tag}`],
      [first.id, `Ufficio Alfa Due ${tag}`],
    ]);
  });

  it('filters by several statuses repeated in the query, and refuses an unknown status or a comma list with 400', async () => {
    const op = await operator();
    const buyer = await customer();
    const p = await createProduct();
    const place = async () => (await placeOrder(buyer.token, [{ productId: p.id, quantity: 1 }])).body.id as string;
    const pending = await place();
    const paid = await place();
    const preparing = await place();
    await pay(paid, op.token);
    await pay(preparing, op.token);
    expect((await api('POST', `/api/v1/orders/${preparing}/status`, { token: op.token, body: { status: 'in_preparation' } })).status).to.equal(200);

    const board = await api('GET', `/api/v1/orders?customerId=${buyer.id}&status=paid&status=in_preparation`, { token: op.token });
    expect(board.status).to.equal(200);
    expect(ids(board)).to.deep.equal([preparing, paid]);
    const single = await api('GET', `/api/v1/orders?customerId=${buyer.id}&status=pending_payment`, { token: op.token });
    expect(ids(single)).to.deep.equal([pending]);

    for (const bad of ['status=paid,in_preparation', 'status=lost', 'status=paid&status=lost']) {
      const res = await api('GET', `/api/v1/orders?customerId=${buyer.id}&${bad}`, { token: op.token });
      expect(res.status, bad).to.equal(400);
      expect(res.body.code, bad).to.equal('validation-failed');
    }
  });

  it('matches q against the customer name or email for staff, keeps the order-number match, and never widens a customer search', async () => {
    const op = await operator();
    const tag = randomUUID().slice(0, 8);
    const buyer = await named(`Libreria ${tag}`);
    const other = await customer();
    const p = await createProduct();
    const order = (await placeOrder(buyer.token, [{ productId: p.id, quantity: 1 }])).body;
    const unrelated = (await placeOrder(other.token, [{ productId: p.id, quantity: 1 }])).body;
    const search = (q: string, token = op.token) => api('GET', `/api/v1/orders?q=${encodeURIComponent(q)}&limit=100`, { token });

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
