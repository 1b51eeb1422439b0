import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { RunningService } from '../../test-kit/service-process';
import { openShop } from './fault-service';
import { startServiceProcess } from '../support/services';
import { PrivatePostgres } from './private-servers';

async function poll<T>(probe: () => Promise<T | undefined>, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** The real process on a private PostgreSQL cluster that the test stops and starts on the same port. */
describe('PostgreSQL restarts under load (fault suite)', function () {
  this.timeout(120_000);
  let pg: PrivatePostgres;
  let dataDir: string;
  let service: RunningService | undefined;

  before(async () => {
    pg = await PrivatePostgres.start();
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'quickstock-pg-fault-'));
  });
  after(() => {
    if (service && service.process.exitCode === null) service.process.kill('SIGKILL');
    pg.destroy();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('does not crash, answers readiness 503 while the database is down, and takes orders again within seconds', async () => {
    service = await startServiceProcess({ databaseUrl: pg.url, dataDir });
    const base = service.baseUrl;
    const child = service.process;
    const { order } = await openShop(base, 'PG-1');
    expect((await order()).status).to.equal(201);

    // Load while the server goes away: every answer is a response (201 or a 503 problem), never a crash.
    let stop = false;
    const statuses: number[] = [];
    const load = (async () => {
      while (!stop) {
        statuses.push((await order().catch(() => ({ status: -1 }))).status);
        await new Promise((r) => setTimeout(r, 20));
      }
    })();
    await new Promise((r) => setTimeout(r, 300));
    pg.stop('fast');
    await poll(async () => ((await fetch(`${base}/health/ready`)).status === 503 ? true : undefined), 5_000, 'readiness 503');
    const down = await order();
    expect(down.status, JSON.stringify(down.body)).to.equal(503);
    await new Promise((r) => setTimeout(r, 1000));
    expect(child.exitCode, 'the process is still running').to.equal(null);

    await pg.resume();
    const resumedAt = Date.now();
    await poll(async () => ((await order()).status === 201 ? true : undefined), 15_000, 'an order after the restart');
    const recovery = Date.now() - resumedAt;
    stop = true;
    await load;
    expect(recovery, 'orders succeed again within seconds').to.be.lessThan(10_000);
    expect((await fetch(`${base}/health/ready`)).status).to.equal(200);
    expect(
      statuses.filter((s) => ![201, 503].includes(s)),
      JSON.stringify(statuses),
    ).to.deep.equal([]);
    expect(child.exitCode).to.equal(null);
  });
});
