import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { asAdmin, createProduct, customer, placedOrder, problemOf, rawRequest } from '../../support/api';
import { query } from '../../support/database';
import { seedOrderEmails } from '../../support/email-fixtures';
import { BAD_CURSOR_VALUES, forgeCursor, forgeValue, openCursor } from '../../support/forged-cursor';

type Kind = keyof typeof BAD_CURSOR_VALUES;

interface List {
  name: string;
  /** The first page's path with its filters and limit=1 (so that it has a next page). */
  path: string;
  token: string;
  /** The type each cursor value is cast to in the list's SQL. */
  kinds: readonly Kind[];
}

async function nextCursorOf(list: List): Promise<string> {
  const first = await rawRequest('GET', list.path, { token: list.token });
  expect(first.status, `${list.name}: first page`).to.equal(200);
  const cursor = (first.body as { nextCursor: string | null }).nextCursor;
  expect(cursor, `${list.name}: a next page`).to.be.a('string');
  return cursor as string;
}

const withCursor = (path: string, cursor: string) => `${path}&cursor=${encodeURIComponent(cursor)}`;

/**
 * Values the contract or the database would misread (issue 24): cursors forged with a valid scope,
 * body integers sent as something else, non-finite numbers. Each is a 400 naming the right problem,
 * never a 500, and changes nothing.
 */
describe('forged cursors, loose body types and non-finite numbers', () => {
  it('refuses a cursor of every list whose values were changed (scope kept) with 400 invalid-cursor', async function () {
    this.timeout(60_000); // some 170 requests
    const admin = await asAdmin();
    const buyer = await customer();
    const tag = `forge${randomUUID().slice(0, 8)}`;
    const products = [];
    for (let i = 0; i < 3; i += 1) products.push(await createProduct({ category: tag, name: `Penna ${tag} ${i}`, initialStock: 10 }));
    const product = products[0]!;
    const order = await placedOrder(buyer.token, [{ productId: product.id, quantity: 1 }]);
    await placedOrder(buyer.token, [{ productId: product.id, quantity: 1 }]);
    await seedOrderEmails(order.id, ['order_confirmed', 'order_cancelled']);
    const movement = await rawRequest('POST', `/api/v1/products/${product.id}/stock-movements`, {
      token: admin,
      body: { type: 'receipt', delta: 5, reason: 'a second movement' },
    });
    expect(movement.status).to.equal(201);
    // Two disabled subscriptions, one with two deliveries in its log stored as delivered: no worker picks them up.
    const [subscription] = await query<{ id: string }>(
      `INSERT INTO webhook_subscriptions (url, event_types, enabled, secret_ciphertext)
       VALUES ('https://erp.example.com/hooks', '["order.created"]', false, 'x'), ('https://crm.example.com/hooks', '["order.created"]', false, 'x') RETURNING id`,
    );
    for (let i = 0; i < 2; i += 1) {
      await query(`INSERT INTO webhook_deliveries (subscription_id, message_id, event_type, body, status) VALUES ($1, $2, 'webhook.test', '{}', 'succeeded')`, [
        subscription!.id,
        `msg_${randomUUID()}`,
      ]);
    }
    const lists: List[] = [
      { name: 'orders (customer)', path: '/api/v1/orders?limit=1', token: buyer.token, kinds: ['timestamp', 'uuid'] },
      { name: 'orders (staff)', path: `/api/v1/orders?limit=1&customerId=${buyer.id}`, token: admin, kinds: ['timestamp', 'uuid'] },
      // Each sort key (a descending sort has the same cursor types), each with its cast.
      ...(['-name', 'sku'] as const).map((sort) => ({
        name: `products ${sort}`,
        path: `/api/v1/products?limit=1&category=${tag}&sort=${sort}`,
        token: admin,
        kinds: ['text', 'uuid'] as const,
      })),
      { name: 'products -createdAt', path: `/api/v1/products?limit=1&category=${tag}&sort=-createdAt`, token: admin, kinds: ['timestamp', 'uuid'] },
      { name: 'products available', path: `/api/v1/products?limit=1&category=${tag}&sort=available`, token: admin, kinds: ['int4', 'uuid'] },
      { name: 'products by relevance', path: `/api/v1/products?limit=1&q=${tag}`, token: admin, kinds: ['int4', 'text', 'uuid'] },
      { name: 'products (customer)', path: `/api/v1/products?limit=1&category=${tag}`, token: buyer.token, kinds: ['text', 'uuid'] },
      { name: 'stock movements', path: `/api/v1/products/${product.id}/stock-movements?limit=1`, token: admin, kinds: ['int8'] },
      { name: 'users', path: '/api/v1/users?limit=1', token: admin, kinds: ['timestamp', 'uuid'] },
      { name: 'webhook subscriptions', path: '/api/v1/webhook-subscriptions?limit=1', token: admin, kinds: ['timestamp', 'uuid'] },
      { name: 'webhook deliveries', path: `/api/v1/webhook-subscriptions/${subscription!.id}/deliveries?limit=1`, token: admin, kinds: ['timestamp', 'uuid'] },
      { name: 'order emails', path: `/api/v1/orders/${order.id}/emails?limit=1`, token: admin, kinds: ['timestamp', 'uuid'] },
      { name: 'email messages', path: '/api/v1/email-messages?limit=1&status=failed', token: admin, kinds: ['timestamp', 'uuid'] },
    ];
    const wrong: string[] = [];
    for (const list of lists) {
      const cursor = await nextCursorOf(list);
      expect(openCursor(cursor).v, list.name).to.have.length(list.kinds.length);
      // Opened and closed again unchanged, it still works: only the values below make it invalid.
      const same = await rawRequest('GET', withCursor(list.path, forgeCursor(cursor, openCursor(cursor).v)), { token: list.token });
      expect(same.status, `${list.name}: the cursor re-encoded`).to.equal(200);
      const forged = list.kinds.flatMap((kind, index) => BAD_CURSOR_VALUES[kind].map((value) => ({ index, value })));
      await Promise.all(
        forged.map(async ({ index, value }) => {
          const res = await rawRequest('GET', withCursor(list.path, forgeValue(cursor, index, value)), { token: list.token });
          if (res.status !== 400 || problemOf(res).code !== 'invalid-cursor')
            wrong.push(`${list.name} [${index}] = ${JSON.stringify(value)}: ${res.status} ${problemOf(res).code}`);
        }),
      );
    }
    expect(wrong, wrong.join('\n')).to.deep.equal([]);
  });

  it('refuses a stock movement whose delta is not a JSON integer (true, "0x10", " 5", "5", "Infinity", "1e400", 1e400, 1.5) with 400 and stores no movement', async () => {
    const admin = await asAdmin();
    const product = await createProduct({ initialStock: 7 });
    const path = `/api/v1/products/${product.id}/stock-movements`;
    const bodies = [true, '0x10', ' 5', '5', 'Infinity', '1e400', 1.5, null].map((delta) => JSON.stringify({ type: 'receipt', delta, reason: 'forged' }));
    bodies.push('{"type": "receipt", "delta": 1e400, "reason": "forged"}', '{"type": "receipt", "delta": -1e400, "reason": "forged"}');
    for (const rawBody of bodies) {
      const res = await rawRequest('POST', path, { token: admin, rawBody, headers: { 'content-type': 'application/json' } });
      expect(res.status, rawBody).to.equal(400);
      expect(problemOf(res).code, rawBody).to.equal('validation-failed');
      expect(
        problemOf(res).errors?.map((e) => e.path),
        rawBody,
      ).to.include('body.delta');
    }
    const movements = await query<{ count: string }>('SELECT count(*) FROM stock_movements WHERE product_id = $1', [product.id]);
    expect(movements[0]?.count, 'only the initial receipt').to.equal('1');
    const [stored] = await query<{ on_hand: number }>('SELECT on_hand FROM products WHERE id = $1', [product.id]);
    expect(stored?.on_hand).to.equal(7);
    // A JSON integer still passes.
    const good = await rawRequest('POST', path, { token: admin, body: { type: 'receipt', delta: 5, reason: 'real' } });
    expect(good.status).to.equal(201);
  });

  it('answers a non-finite limit (Infinity, -Infinity, 1e400) with 400 validation-failed naming the limit, not invalid-cursor', async () => {
    const admin = await asAdmin();
    for (const path of ['/api/v1/products', '/api/v1/orders', '/api/v1/users', '/api/v1/webhook-subscriptions']) {
      for (const limit of ['Infinity', '-Infinity', '1e400']) {
        const res = await rawRequest('GET', `${path}?limit=${limit}`, { token: admin });
        expect(res.status, `${path} ${limit}`).to.equal(400);
        expect(problemOf(res).code, `${path} ${limit}`).to.equal('validation-failed');
        expect(
          problemOf(res).errors?.map((e) => e.path),
          `${path} ${limit}`,
        ).to.deep.equal(['query.limit']);
      }
    }
    // Query parameters are still read from their text.
    const converted = await rawRequest('GET', '/api/v1/products?limit=2', { token: admin });
    expect(converted.status).to.equal(200);
  });
});
