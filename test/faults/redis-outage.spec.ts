import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { createTestDatabase, type TestDatabase } from '../../test-kit/scratch-database';
import { connectSocket, type ReceivedEvent } from '../support/realtime';
import { call, type RunningService } from '../../test-kit/service-process';
import { ADDRESS, openShop } from './fault-service';
import { startServiceProcess } from '../support/services';
import { PrivateRedis } from './private-servers';

const created = (orderId: string) => (e: ReceivedEvent) => e.name === 'order.created' && e.payload?.data?.orderId === orderId;

/** The real process with REDIS_URL on a private redis-server that the test stops and starts. */
describe('Redis stops and starts again (fault suite)', function () {
  this.timeout(120_000);
  let database: TestDatabase;
  let dataDir: string;
  let redis: PrivateRedis;
  let service: RunningService | undefined;

  before(async () => {
    database = await createTestDatabase();
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'quickstock-redis-fault-'));
    redis = await PrivateRedis.start();
  });
  after(async () => {
    if (service && service.process.exitCode === null) service.process.kill('SIGKILL');
    await redis.stop();
    await database.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('keeps REST serving while Redis is down, pauses dispatch, and delivers what happened meanwhile once it is back', async () => {
    service = await startServiceProcess({ databaseUrl: database.url, dataDir, env: { REDIS_URL: redis.url } });
    const base = service.baseUrl;
    const { admin, token, product } = await openShop(base, 'REDIS-1');
    const buyer = { password: 'a long password 123', name: 'Buyer' };
    const staff = await connectSocket({ token: admin, baseUrl: base });
    try {
      const before = await call(base, 'POST', '/api/v1/orders', token, { items: [{ productId: product.id, quantity: 1 }], shippingAddress: ADDRESS });
      expect(before.status).to.equal(201);
      await staff.next(created(before.body.id), 10_000, 'order.created while Redis is up');

      await redis.stop();
      await new Promise((r) => setTimeout(r, 500));
      const placedWhileDown: string[] = [];
      for (let i = 0; i < 3; i += 1) {
        const res = await call(base, 'POST', '/api/v1/orders', token, { items: [{ productId: product.id, quantity: 1 }], shippingAddress: ADDRESS });
        expect(res.status, JSON.stringify(res.body)).to.equal(201);
        placedWhileDown.push(res.body.id);
      }
      expect((await call(base, 'GET', '/api/v1/products?limit=5', token)).status).to.equal(200);
      // Rate limits and sign-in throttles fall back to memory instead of failing.
      expect((await call(base, 'POST', '/api/v1/auth/register', undefined, { ...buyer, email: 'second-redis@example.test' })).status).to.equal(201);
      expect(
        (await call(base, 'POST', '/api/v1/auth/login', undefined, { email: 'buyer-redis-1@example.test', password: 'wrong password 123' })).status,
      ).to.equal(401);
      await new Promise((r) => setTimeout(r, 1500));
      for (const id of placedWhileDown) expect(staff.received.some(created(id)), 'dispatch pauses while Redis is down').to.equal(false);

      await redis.resume();
      for (const id of placedWhileDown) await staff.next(created(id), 20_000, `order.created ${id} after Redis returned`);
      const db = new Client({ connectionString: database.url });
      await db.connect();
      try {
        const { rows } = await db.query<{ n: number }>("SELECT count(*)::int AS n FROM events WHERE type = 'order.created'");
        expect(rows[0]?.n).to.equal(4);
      } finally {
        await db.end();
      }
      expect(staff.received.filter((e) => e.name === 'order.created')).to.have.length(4);
    } finally {
      staff.close();
    }
  });
});
