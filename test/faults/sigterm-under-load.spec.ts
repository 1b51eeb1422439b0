import { expect } from 'chai';
import type http from 'node:http';
import net from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createTestDatabase, type TestDatabase } from '../../test-kit/scratch-database';
import { call, type RunningService } from '../../test-kit/service-process';
import { ADDRESS, openShop } from './fault-service';
import { startServiceProcess } from '../support/services';
import { requestOnFreshConnection, type Outcome } from './raw-http';

const GRACE_MS = 1500;

/** The real process entry under load, signalled like a container runtime would. */
describe('SIGTERM under load (fault suite)', function () {
  this.timeout(90_000);
  let database: TestDatabase;
  let dataDir: string;

  before(async () => {
    database = await createTestDatabase();
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'quickstock-sigterm-'));
  });
  after(async () => {
    await database.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('answers every request it accepted, goes unready at once, closes connections after the grace period, then exits 0', async () => {
    const service = await startServiceProcess({ databaseUrl: database.url, dataDir, env: { SHUTDOWN_GRACE_MS: String(GRACE_MS) } });
    try {
      await underLoad(service);
    } finally {
      if (service.process.exitCode === null) service.process.kill('SIGKILL');
    }
  });
});

async function underLoad(service: RunningService): Promise<void> {
  const base = service.baseUrl;
  const exited = new Promise<number | null>((resolve) => service.process.once('exit', (code) => resolve(code)));
  const { token, product } = await openShop(base, 'SIGTERM-1');
  const order = { items: [{ productId: product.id, quantity: 1 }], shippingAddress: ADDRESS };
  const warm = await call(base, 'POST', '/api/v1/orders', token, order); // also warms the validator
  expect(warm.status, JSON.stringify(warm.body)).to.equal(201);

  // An idle keep-alive connection, open before the signal: one request answered, then silence.
  const idleSocket = net.connect(Number(new URL(base).port), '127.0.0.1');
  const firstAnswer = new Promise<string>((resolve) => idleSocket.once('data', (chunk: Buffer) => resolve(chunk.toString('latin1'))));
  idleSocket.write('GET /health/live HTTP/1.1\r\nHost: localhost\r\nConnection: keep-alive\r\n\r\n');
  expect(await firstAnswer).to.match(/^HTTP\/1\.1 200/);
  const idleClosedAt = new Promise<number>((resolve) => idleSocket.once('close', () => resolve(Date.now())));
  idleSocket.on('error', () => undefined);

  const load: Promise<Outcome>[] = [];
  for (let i = 0; i < 60; i += 1) {
    load.push(
      i % 2 === 0
        ? requestOnFreshConnection(base, 'POST', '/api/v1/orders', {
            token,
            body: order,
          })
        : requestOnFreshConnection(base, 'GET', '/api/v1/products?limit=20', {
            token,
          }),
    );
  }
  await new Promise((r) => setTimeout(r, 40));
  service.process.kill('SIGTERM');
  const signalledAt = Date.now();

  const ready = await requestOnFreshConnection(base, 'GET', '/health/ready');
  expect(ready.kind).to.equal('answered');
  expect((ready as { status: number }).status, 'readiness right after SIGTERM').to.equal(503);
  const during = await requestOnFreshConnection(base, 'GET', '/api/v1/products?limit=5', { token });
  expect(during.kind, 'a new connection during the grace period').to.equal('answered');
  expect((during as { status: number; headers: http.IncomingHttpHeaders }).status).to.equal(200);
  expect((during as { headers: http.IncomingHttpHeaders }).headers['connection']).to.equal('close');

  const outcomes = await Promise.all(load);
  const failures = outcomes.filter((o): o is { kind: 'failed'; code: string } => o.kind === 'failed');
  // A refused connection is fine; a reset or a hang-up of an accepted one is not.
  expect(
    failures.filter((f) => f.code !== 'ECONNREFUSED'),
    JSON.stringify(failures),
  ).to.deep.equal([]);
  for (const o of outcomes) if (o.kind === 'answered') expect([200, 201], o.body).to.include(o.status);

  expect((await idleClosedAt) - signalledAt, 'idle connection closed only after the grace period').to.be.greaterThanOrEqual(GRACE_MS - 50);
  expect(await exited).to.equal(0);
  const after = await requestOnFreshConnection(base, 'GET', '/health/live');
  expect(after).to.deep.equal({ kind: 'failed', code: 'ECONNREFUSED' });
  idleSocket.destroy();
}
