import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { ok } from '../support/api';
import { client } from '../support/client';
import { ADMIN } from '../support/hooks';
import { startServiceProcess, type ServiceProcess } from '../support/services';
import { createTestDatabase, type TestDatabase } from '../../test-kit/scratch-database';
import { connectSocket, type TestSocket } from '../support/realtime';

const ADDRESS = { name: 'Ufficio Rossi Srl', line1: 'Via Roma 1', city: 'Milano', postalCode: '20121', country: 'IT' };
const signIn = async (base: string, body: { email: string; password: string }) =>
  ok(await client(undefined, base).POST('/api/v1/auth/login', { body })).accessToken;

/**
 * Two service instances on different ports, sharing one PostgreSQL database and one Redis — what
 * several machines behind a load balancer (or cluster workers) share. Needs REDIS_URL (CI has it).
 */
describe('two instances sharing PostgreSQL and Redis', function () {
  this.timeout(90_000);
  let database: TestDatabase;
  let a: ServiceProcess;
  let b: ServiceProcess;
  let urlA: string;
  let urlB: string;
  const clients: TestSocket[] = [];

  before(async function () {
    const redisUrl = process.env['REDIS_URL'];
    if (!redisUrl) this.skip();
    database = await createTestDatabase();
    // Two processes of the real entry point, as on two machines (each with its own pools and models).
    const env = { REDIS_URL: redisUrl as string, REDIS_KEY_PREFIX: `qs-test-${randomUUID()}` };
    a = await startServiceProcess({ databaseUrl: database.url, env });
    b = await startServiceProcess({ databaseUrl: database.url, env });
    urlA = a.baseUrl;
    urlB = b.baseUrl;
  });

  after(async () => {
    for (const client of clients) client.close();
    await a?.stop();
    await b?.stop();
    await database?.drop();
  });

  it('never oversells under orders racing through both, and each client hears each event exactly once', async () => {
    const admin = await signIn(urlA, ADMIN);
    const product = ok(
      await client(admin, urlB).POST('/api/v1/products', { body: { sku: 'TWO-1', name: 'Shared', unitPriceCents: 100, initialStock: 25, reorderLevel: 5 } }),
    );
    const buyers: string[] = [];
    for (let i = 0; i < 4; i += 1) {
      const email = `buyer-${i}-${randomUUID()}@example.test`;
      const registered = await client(undefined, i % 2 ? urlA : urlB).POST('/api/v1/auth/register', {
        body: { email, password: 'a long password 123', name: `Buyer ${i}` },
      });
      expect(registered.response.status).to.equal(201);
      buyers.push(await signIn(urlA, { email, password: 'a long password 123' }));
    }
    const onA = await connectSocket({ token: admin, baseUrl: urlA });
    const onB = await connectSocket({ token: admin, baseUrl: urlB });
    clients.push(onA, onB);

    // 40 orders of one unit for 25 units, alternating instances, all at once.
    const burstStarted = Date.now();
    const results = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        client(buyers[i % buyers.length], i % 2 ? urlA : urlB).POST('/api/v1/orders', {
          body: { items: [{ productId: product.id, quantity: 1 }], shippingAddress: ADDRESS },
        }),
      ),
    );
    const created = results.filter((r) => r.response.status === 201).map((r) => ok(r).id);
    expect(created).to.have.length(25);
    expect(results.filter((r) => r.response.status === 409)).to.have.length(15);

    const db = new Client({ connectionString: database.url });
    await db.connect();
    try {
      const { rows } = await db.query('SELECT on_hand, reserved FROM products WHERE id = $1', [product.id]);
      expect(rows[0]).to.deep.equal({ on_hand: 25, reserved: 25 });
      const stored = await db.query("SELECT count(*)::int AS n FROM events WHERE type = 'order.created'");
      expect(stored.rows[0].n).to.equal(25);
    } finally {
      await db.end();
    }

    for (const client of [onA, onB]) {
      for (const id of created) await client.next((e) => e.name === 'order.created' && e.payload.data.orderId === id, 10_000, `order ${id}`);
      await client.next((e) => e.name === 'inventory.low_stock' && e.payload.data.productId === product.id, 10_000, 'the low-stock event');
    }
    await new Promise((r) => setTimeout(r, 500)); // room for a duplicate to show up
    for (const client of [onA, onB]) {
      const orders = client.received.filter((e) => e.name === 'order.created');
      expect(orders.map((e) => e.payload.data.orderId)).to.have.members(created);
      expect(new Set(orders.map((e) => e.payload.id)).size).to.equal(25);
      expect(client.received.filter((e) => e.name === 'inventory.low_stock')).to.have.length(1);
    }

    // Both instances run the stock-figures pass: still at most one event per product per second, each
    // emitted once, the last with the final figures.
    const burstMs = Date.now() - burstStarted;
    const isStock = (e: { name: string; payload: any }) => e.name === 'inventory.stock_changed' && e.payload.data.productId === product.id;
    for (const client of [onA, onB]) await client.next((e) => isStock(e) && e.payload.data.reserved === 25, 5000, 'the final figures');
    await new Promise((r) => setTimeout(r, 1300)); // room for a late or duplicate event
    for (const client of [onA, onB]) {
      const stock = client.received.filter(isStock);
      expect(stock.at(-1)?.payload.data).to.deep.include({ onHand: 25, reserved: 25, available: 0 });
      expect(new Set(stock.map((e) => e.payload.id)).size).to.equal(stock.length);
      const times = stock.map((e) => Date.parse(e.payload.occurredAt));
      for (let i = 1; i < times.length; i += 1) expect((times[i] as number) - (times[i - 1] as number)).to.be.at.least(1000);
      // The initial stock, then one event per started second of the burst and its dispatch, at most.
      expect(stock.length, `${stock.length} events for a ${burstMs} ms burst`).to.be.at.most(2 + Math.ceil(burstMs / 1000));
    }
  });

  it('refuses, on the other instance too, the token of a user disabled through one, well before the session cache expires', async () => {
    const admin = await signIn(urlA, ADMIN);
    const email = `leaver-${randomUUID()}@example.test`;
    const user = ok(await client(admin, urlA).POST('/api/v1/users', { body: { email, password: 'a long password 123', name: 'Leaver', role: 'operator' } }));
    const token = await signIn(urlB, { email, password: 'a long password 123' });
    const me = (base: string) => client(token, base).GET('/api/v1/auth/me');
    expect((await me(urlB)).response.status).to.equal(200); // now cached on B
    expect((await client(admin, urlA).PATCH('/api/v1/users/{id}', { params: { path: { id: user.id } }, body: { disabled: true } })).response.status).to.equal(
      200,
    );
    expect((await me(urlA)).response.status).to.equal(401);
    const started = Date.now();
    let status = 200;
    while (status !== 401 && Date.now() - started < 4000) {
      status = (await me(urlB)).response.status;
      if (status !== 401) await new Promise((r) => setTimeout(r, 25));
    }
    expect(status).to.equal(401);
    expect(Date.now() - started, 'relayed, not merely expired (AUTH_CACHE_TTL_MS is 5 s)').to.be.lessThan(2000);
  });
});
