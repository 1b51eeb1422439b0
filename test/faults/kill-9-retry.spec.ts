import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { createTestDatabase, type TestDatabase } from '../../test-kit/scratch-database';
import type { RunningService } from '../../test-kit/service-process';
import { ADDRESS, openShop } from './fault-service';
import { startServiceProcess } from '../support/services';

const CLIENTS = 40;

type Answer = { status: number; body: any; replayed: boolean } | { status: -1; error: string };

async function postOrder(base: string, token: string, key: string, productId: string): Promise<Answer> {
  try {
    const res = await fetch(`${base}/api/v1/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, 'idempotency-key': key },
      body: JSON.stringify({ items: [{ productId, quantity: 1 + (Number(key.split('-').pop()) % 3) }], shippingAddress: ADDRESS }),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined, replayed: res.headers.get('idempotent-replayed') === 'true' };
  } catch (err) {
    return { status: -1, error: (err as Error).message };
  }
}

/**
 * `kill -9` of the real process in the middle of a burst of keyed orders, a restart on the same
 * database, and every client retrying with its key: claims die with the process that held them.
 */
describe('kill -9 during a burst of orders, then every client retries (fault suite)', function () {
  this.timeout(180_000);
  let database: TestDatabase;
  let dataDir: string;
  const services: RunningService[] = [];

  before(async () => {
    database = await createTestDatabase();
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'quickstock-kill9-'));
  });
  after(async () => {
    for (const s of services) if (s.process.exitCode === null && s.process.signalCode === null) s.process.kill('SIGKILL');
    await database.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('answers every retry 201 (created once or replayed), never 409 in-progress; no key makes two orders; reserved matches the orders', async () => {
    const first = await startServiceProcess({ databaseUrl: database.url, dataDir });
    services.push(first);
    const shop = await openShop(first.baseUrl, 'KILL9-1');
    expect((await shop.order()).status).to.equal(201); // warms the validator: the burst is all in flight at once

    const keys = Array.from({ length: CLIENTS }, (_, i) => `kill9-${i}`);
    let answered = 0;
    const burst = keys.map((key) =>
      postOrder(first.baseUrl, shop.token, key, shop.product.id).then((a) => {
        if (a.status !== -1) answered += 1;
        return a;
      }),
    );
    // Kill once some have been answered and the rest are in flight.
    const deadline = Date.now() + 20_000;
    while (answered < 5 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    first.process.kill('SIGKILL');
    const before = await Promise.all(burst);
    const acknowledged = new Map<string, string>();
    before.forEach((a, i) => {
      if (a.status === 201) acknowledged.set(keys[i]!, a.body.id as string);
    });
    const lost = before.filter((a) => a.status === -1).length;
    expect(lost, 'some requests were cut by the kill').to.be.greaterThan(0);

    const second = await startServiceProcess({ databaseUrl: database.url, dataDir });
    services.push(second);
    const retries = await Promise.all(keys.map((key) => postOrder(second.baseUrl, shop.token, key, shop.product.id)));
    const statuses = retries.map((r) => r.status);
    expect(
      statuses.filter((s) => s !== 201),
      JSON.stringify(retries.filter((r) => r.status !== 201)).slice(0, 500),
    ).to.deep.equal([]);
    retries.forEach((r, i) => {
      const acked = acknowledged.get(keys[i]!);
      if (acked && r.status === 201) {
        expect(r.body.id, 'an acknowledged order is replayed').to.equal(acked);
        expect(r.replayed).to.equal(true);
      }
    });

    const db = new Client({ connectionString: database.url });
    await db.connect();
    try {
      const orderIds = new Set(retries.map((r) => (r.status === 201 ? (r.body.id as string) : '')));
      expect(orderIds.size, 'one order per key').to.equal(CLIENTS);
      // Every order of the customer: the warm-up one and one per key, nothing more (no key made two).
      const [{ n }] = (await db.query("SELECT count(*)::int AS n FROM orders WHERE status = 'pending_payment'")).rows;
      expect(n).to.equal(CLIENTS + 1);
      const [stock] = (
        await db.query(
          `SELECT p.reserved, (SELECT coalesce(sum(i.quantity), 0)::int FROM order_items i JOIN orders o ON o.id = i.order_id
                                WHERE i.product_id = p.id AND o.status = 'pending_payment') AS held
             FROM products p WHERE p.id = $1`,
          [shop.product.id],
        )
      ).rows;
      expect(stock.reserved, 'reserved equals what the surviving orders hold').to.equal(stock.held);
      const [{ unfinished }] = (await db.query("SELECT count(*)::int AS unfinished FROM idempotency_keys WHERE state <> 'completed'")).rows;
      expect(unfinished).to.equal(0);
    } finally {
      await db.end();
    }
  });
});
