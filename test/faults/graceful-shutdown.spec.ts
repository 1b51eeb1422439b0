import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ADMIN } from '../support/hooks';
import { startServiceProcess } from '../support/services';
import { createTestDatabase, type TestDatabase } from '../../test-kit/scratch-database';

/** The real process entry, signalled like a container runtime or systemd would. */
describe('graceful shutdown of the process', function () {
  this.timeout(60_000);
  let database: TestDatabase;
  let dataDir: string;

  before(async () => {
    database = await createTestDatabase();
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'quickstock-shutdown-'));
  });
  after(async () => {
    await database.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('finishes the request in flight on SIGTERM, then exits promptly with code 0', async () => {
    // The default grace (2 s) rather than the test services' 0: the request in flight needs it.
    const service = await startServiceProcess({ databaseUrl: database.url, dataDir, env: { SHUTDOWN_GRACE_MS: '2000' } });
    const child = service.process;
    const base = service.baseUrl;
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    // A first sign-in warms the path and leaves a keep-alive connection, so the next request is on
    // the server at once (on a loaded machine a fresh connection may not be read before the signal).
    expect(
      (await fetch(`${base}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(ADMIN) })).status,
    ).to.equal(200);
    // A sign-in takes an argon2 verification (tens of ms): signal while it runs.
    const inFlight = fetch(`${base}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(ADMIN),
    });
    await new Promise((r) => setTimeout(r, 10));
    child.kill('SIGTERM');
    const signalledAt = Date.now();
    const res = await inFlight;
    expect(res.status).to.equal(200);
    expect((await res.json()) as object).to.have.property('accessToken');
    expect(await exited).to.equal(0);
    // The answered keep-alive connection is closed at once, not after the 10 s grace period.
    expect(Date.now() - signalledAt).to.be.lessThan(5_000);
    const refused = await fetch(`${base}/health/live`).then(
      () => 'answered',
      () => 'refused',
    );
    expect(refused).to.equal('refused');
  });
});
