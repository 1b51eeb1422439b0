import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ADMIN, TEST_JWT_SECRET } from '../support/hooks';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { startServiceProcess } from '../../bench/service';

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
    const service = await startServiceProcess({
      databaseUrl: database.url,
      entry: 'src/main.ts',
      nodeArgs: ['--import', 'tsx'],
      env: { NODE_ENV: 'test', DATA_DIR: dataDir, JWT_SECRET: TEST_JWT_SECRET, ADMIN_EMAIL: ADMIN.email, ADMIN_PASSWORD: ADMIN.password, LOG_LEVEL: 'silent' },
    });
    const child = service.process;
    const base = service.baseUrl;
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
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
