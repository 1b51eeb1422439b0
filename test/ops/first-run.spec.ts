import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { TEST_JWT_SECRET } from '../support/hooks';
import { createTestDatabase, type TestDatabase } from '../../test-kit/scratch-database';
import { freePort } from '../../test-kit/service-process';

const ROOT = path.resolve(__dirname, '../..');

interface Started {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<number | null>;
}

/** The real process entry, as an operator starts it, with only the variables given (plus PATH/HOME). */
function runEntry(env: Record<string, string>, viaTerminal = false): Started {
  const node = [process.execPath, '--import', 'tsx', path.join(ROOT, 'src/main.ts')];
  // `script` gives the process a pseudo-terminal, as a person's shell does.
  const [command, ...args] = viaTerminal ? ['script', '-qefc', node.map((a) => `'${a}'`).join(' '), '/dev/null'] : node;
  const child = spawn(command as string, args, {
    cwd: ROOT,
    env: { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? os.tmpdir(), TERM: 'xterm', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
  child.stderr?.on('data', (chunk: Buffer) => (err += chunk.toString('utf8')));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, stdout: () => out, stderr: () => err, exited };
}

async function until<T>(what: string, probe: () => T | undefined, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function stop(started: Started): Promise<number | null> {
  if (started.child.exitCode === null) started.child.kill('SIGTERM');
  return started.exited;
}

/** NODE_ENV unset is production: with DATABASE_URL the webhook secrets key is required too. */
const WEBHOOK_SECRETS_KEY = Buffer.alloc(32, 1).toString('base64');

const stripColours = (text: string) => text.replace(/\x1b\[[0-9;]*m/g, '');

describe('first run and operations: the real process entry', function () {
  this.timeout(120_000);
  let database: TestDatabase;
  let dataDir: string;

  beforeEach(async () => {
    database = await createTestDatabase();
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'quickstock-first-run-'));
  });
  afterEach(async () => {
    await database.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('without a terminal writes JSON lines and the setup link to a 0600 file under DATA_DIR, never to the logs; the link then creates the first admin', async () => {
    const port = await freePort();
    const service = runEntry({
      NODE_ENV: 'production',
      PORT: String(port),
      DATABASE_URL: database.url,
      JWT_SECRET: TEST_JWT_SECRET,
      WEBHOOK_SECRETS_KEY,
      DATA_DIR: dataDir,
      SEED_DEMO: 'false',
    });
    try {
      const file = await until('where the setup link is', () => {
        for (const line of service.stdout().split('\n')) {
          if (!line.includes('setupLinkFile')) continue;
          return (JSON.parse(line) as { setupLinkFile: string }).setupLinkFile;
        }
        return undefined;
      });
      expect(file).to.equal(path.join(dataDir, 'setup-link.txt'));
      expect(statSync(file).mode & 0o777).to.equal(0o600);
      const link = readFileSync(file, 'utf8').trim();
      expect(link).to.match(new RegExp(`^http://localhost:${port}/console/setup#code=[A-Za-z0-9_-]{32}$`));
      const code = new URL(link).hash.replace('#code=', '');
      for (const line of service.stdout().trim().split('\n')) expect(() => JSON.parse(line) as unknown, line).not.to.throw();
      expect(service.stdout()).not.to.contain('QuickStock is running');
      expect(service.stdout()).not.to.contain(code);
      expect(service.stderr()).not.to.contain(code);
      const created = await fetch(`http://127.0.0.1:${port}/api/v1/setup/first-admin`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ code, email: 'titolare@cartoleria.test', name: 'Marco Rossi', password: 'correct horse battery staple' }),
      });
      expect(created.status).to.equal(201);
      const login = await fetch(`http://127.0.0.1:${port}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: 'titolare@cartoleria.test', password: 'correct horse battery staple' }),
      });
      expect(login.status).to.equal(200);
      expect(service.stdout()).not.to.contain(code);
    } finally {
      expect(await stop(service)).to.equal(0);
    }
  });

  it('on a terminal prints readable logs and a banner with the URLs, the data and the setup link', async () => {
    const port = await freePort();
    const service = runEntry(
      { PORT: String(port), DATABASE_URL: database.url, JWT_SECRET: TEST_JWT_SECRET, WEBHOOK_SECRETS_KEY, DATA_DIR: dataDir, SEED_DEMO: 'false' },
      true,
    );
    try {
      const out = await until('the banner', () => {
        const text = stripColours(service.stdout());
        return /Press Ctrl\+C to stop/.test(text) ? text : undefined;
      });
      const base = `http://localhost:${port}`;
      for (const url of [`${base}/api/v1`, `${base}/docs/`, `${base}/docs/events`, `${base}/console`, `${base}/health/ready`, `${base}/metrics`]) {
        expect(out).to.contain(url);
      }
      expect(out).to.match(/Database\s+PostgreSQL at postgres:\/\/.*quickstock_test_/);
      expect(out).to.match(new RegExp(`${base}/console/setup#code=[A-Za-z0-9_-]{32}`));
      // Printed for the person at the terminal only: no file, and no log line carries it.
      expect(existsSync(path.join(dataDir, 'setup-link.txt'))).to.equal(false);
      const code = /#code=([A-Za-z0-9_-]{32})/.exec(out)![1]!;
      expect(out.split('\n').filter((l) => l.includes(code) && /INFO|WARN/.test(l))).to.deep.equal([]);
      expect(out).to.match(/\d\d:\d\d:\d\d\.\d{3}\] INFO: QuickStock listening/);
      expect(out).not.to.match(/^\{"level"/m);
    } finally {
      await stop(service);
    }
  });

  it('says in one sentence that the port is in use, and exits 1', async () => {
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as net.AddressInfo).port;
    try {
      const service = runEntry({
        PORT: String(port),
        HOST: '127.0.0.1',
        DATABASE_URL: database.url,
        JWT_SECRET: TEST_JWT_SECRET,
        WEBHOOK_SECRETS_KEY,
        DATA_DIR: dataDir,
        LOG_LEVEL: 'warn',
      });
      expect(await service.exited).to.equal(1);
      expect(service.stderr().trim()).to.equal(
        `QuickStock cannot start: port ${port} is already in use on 127.0.0.1: stop the program that holds it, or choose another port with PORT=<number>.`,
      );
      expect(service.stdout()).not.to.match(/\bat .*\.ts:\d+/);
    } finally {
      blocker.close();
    }
  });

  it('names ADMIN_PASSWORD when the password policy refuses it, in one sentence', async () => {
    const service = runEntry({
      PORT: '0',
      DATABASE_URL: database.url,
      JWT_SECRET: TEST_JWT_SECRET,
      WEBHOOK_SECRETS_KEY,
      DATA_DIR: dataDir,
      LOG_LEVEL: 'warn',
      ADMIN_EMAIL: 'titolare@cartoleria.test',
      ADMIN_PASSWORD: 'aaaaaaaaaaaa',
    });
    expect(await service.exited).to.equal(1);
    expect(service.stderr().trim()).to.match(/^QuickStock cannot start: ADMIN_PASSWORD is refused: .+/);
    expect(service.stderr().trim().split('\n')).to.have.length(1);
  });

  it('names every invalid or missing setting at once, and exits 78', async () => {
    const service = runEntry({ PORT: 'http', DATABASE_URL: 'postgres://db.internal/quickstock', DB_POOL_MAX: '0', LOG_LEVEL: 'chatty', DATA_DIR: dataDir });
    expect(await service.exited).to.equal(78);
    const lines = service.stderr().trim().split('\n');
    // NODE_ENV unset is production: DATABASE_URL needs the webhook secrets key as well as JWT_SECRET.
    expect(lines[0]).to.equal('Invalid configuration (5 settings):');
    expect(lines.slice(1).map((l) => l.trim().split(' ')[1])).to.have.members(['PORT', 'DB_POOL_MAX', 'LOG_LEVEL', 'JWT_SECRET', 'WEBHOOK_SECRETS_KEY']);
    expect(service.stdout()).to.equal('');
  });
});
