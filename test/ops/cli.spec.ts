import { execFile } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { expect } from 'chai';
import { Client } from 'pg';
import { TEST_JWT_SECRET } from '../support/hooks';
import { createTestDatabase, type TestDatabase } from '../../test-kit/scratch-database';

const ROOT = path.resolve(__dirname, '../..');
const run = promisify(execFile);

/** The operator's CLI (README: `ADMIN_PASSWORD=… node dist/src/cli.js create-admin EMAIL`), as a child process. */
function cli(database: TestDatabase, args: string[], env: Record<string, string>) {
  return run(process.execPath, ['--import', 'tsx', path.join(ROOT, 'src/cli.ts'), ...args], {
    cwd: ROOT,
    env: {
      PATH: process.env['PATH'] ?? '',
      HOME: process.env['HOME'] ?? os.tmpdir(),
      NODE_ENV: 'production',
      DATABASE_URL: database.url,
      JWT_SECRET: TEST_JWT_SECRET,
      WEBHOOK_SECRETS_KEY: Buffer.alloc(32, 7).toString('base64'),
      LOG_LEVEL: 'warn',
      ...env,
    },
  });
}

describe('operator CLI', function () {
  this.timeout(90_000);
  let database: TestDatabase;
  before(async () => {
    database = await createTestDatabase();
  });
  after(async () => {
    await database?.drop();
  });

  it('creates an admin from create-admin EMAIL with the password from ADMIN_PASSWORD alone', async () => {
    await cli(database, ['create-admin', 'Ops@Example.com'], { ADMIN_PASSWORD: 'a long password 123' });
    const db = new Client({ connectionString: database.superuserUrl });
    await db.connect();
    try {
      const { rows } = await db.query<{ email: string; role: string; hash: string }>('SELECT email, role, password_hash AS hash FROM users');
      expect(rows).to.have.length(1);
      expect(rows[0]).to.include({ email: 'Ops@Example.com', role: 'admin' });
      expect(rows[0]!.hash).to.match(/^\$argon2id\$/);
    } finally {
      await db.end();
    }
  });

  it('refuses create-admin without ADMIN_PASSWORD, naming the variable, and creates nobody', async () => {
    const failed = await cli(database, ['create-admin', 'second@example.com'], {}).then(
      () => null,
      (err: { code: number; stderr: string }) => err,
    );
    expect(failed?.code).to.equal(1);
    expect(failed?.stderr).to.contain('ADMIN_PASSWORD');
    const db = new Client({ connectionString: database.superuserUrl });
    await db.connect();
    try {
      const { rows } = await db.query("SELECT 1 FROM users WHERE email = 'second@example.com'");
      expect(rows).to.have.length(0);
    } finally {
      await db.end();
    }
  });
});
