import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createTestDatabase, type TestDatabase } from '../../test-kit/scratch-database';
import { call, type RunningService } from '../../test-kit/service-process';
import { Receiver, until, verify } from '../api/outgoing-webhooks/receiver';
import { openShop } from './fault-service';
import { startServiceProcess } from '../support/services';

const HOOKS = { WEBHOOK_ALLOWED_CIDRS: '127.0.0.1/32', WEBHOOK_TIMEOUT_MS: '1000', WEBHOOK_POLL_MS: '50', WEBHOOK_RETRY_SCHEDULE_MS: '100,100,100,100,100' };

/** kill -9 between an order's commit and its webhook delivery, then a restart: nothing is lost, nothing doubled. */
describe('outgoing webhooks survive kill -9 (fault suite)', function () {
  this.timeout(120_000);
  let database: TestDatabase;
  let dataDir: string;
  let receiver: Receiver;
  let service: RunningService | undefined;

  before(async () => {
    database = await createTestDatabase();
    // The same DATA_DIR across restarts: the generated WEBHOOK_SECRETS_KEY must still open the secrets.
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'quickstock-webhook-kill-'));
    receiver = await new Receiver().start();
  });
  after(async () => {
    if (service && service.process.exitCode === null) await service.stop();
    await receiver.stop();
    await database.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  async function killHard(running: RunningService): Promise<void> {
    const exited = new Promise((resolve) => running.process.once('exit', resolve));
    running.process.kill('SIGKILL');
    await exited;
  }

  it('delivers an order whose delivery was in flight at the kill once more, with the same webhook-id', async () => {
    service = await startServiceProcess({ databaseUrl: database.url, dataDir, env: HOOKS });
    const shop = await openShop(service.baseUrl, 'HOOK-KILL-1');
    const created = await call(service.baseUrl, 'POST', '/api/v1/webhook-subscriptions', shop.admin, { url: receiver.url, eventTypes: ['order.created'] });
    expect(created.status, JSON.stringify(created.body)).to.equal(201);
    const secret = created.body.secret as string;
    receiver.behaviour = (n) => (n === 0 ? 'hang' : { status: 200 });
    const order = await shop.order();
    expect(order.status).to.equal(201);
    await receiver.waitFor(1, 10_000);
    await killHard(service);

    service = await startServiceProcess({ databaseUrl: database.url, dataDir, env: HOOKS });
    const requests = await receiver.waitFor(2, 20_000);
    expect(requests[1]!.headers['webhook-id']).to.equal(requests[0]!.headers['webhook-id']);
    expect(verify(secret, requests[1]!)['data']).to.include({ orderId: order.body.id });
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(new Set(receiver.requests.map((r) => r.headers['webhook-id'])).size).to.equal(1);
  });

  it('delivers an order committed just before the kill exactly once after the restart', async () => {
    receiver.requests.length = 0;
    receiver.behaviour = () => ({ status: 200 });
    const shop = await openShop(service!.baseUrl, 'HOOK-KILL-2');
    // The kill comes right after the commit: the fan-out or the send may or may not have run.
    const order = await shop.order();
    expect(order.status).to.equal(201);
    await killHard(service!);
    service = await startServiceProcess({ databaseUrl: database.url, dataDir, env: HOOKS });
    const mine = await until('the order delivered', () => receiver.requests.find((r) => r.raw.includes(order.body.id as string)), 20_000);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const forOrder = receiver.requests.filter((r) => r.raw.includes(order.body.id as string));
    expect(new Set(forOrder.map((r) => r.headers['webhook-id']))).to.deep.equal(new Set([mine.headers['webhook-id']]));
    await service.stop();
  });
});
