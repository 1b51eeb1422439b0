import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { freePort } from '../../test-kit/service-process';
import { embeddedPostgresBinaries } from '../../src/platform/db/embedded-postgres';

async function waitForPort(port: number, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, '127.0.0.1', () => {
        socket.destroy();
        resolve(true);
      });
      socket.on('error', () => resolve(false));
    });
    if (open) return;
    if (Date.now() > deadline) throw new Error(`nothing listens on ${port}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** A private redis-server on a free port (never the shared 6379), stopped and started again at will. */
export class PrivateRedis {
  private child: ChildProcess | null = null;
  readonly url: string;

  private constructor(readonly port: number) {
    this.url = `redis://127.0.0.1:${port}`;
  }

  static async start(): Promise<PrivateRedis> {
    const redis = new PrivateRedis(await freePort());
    await redis.resume();
    return redis;
  }

  async resume(): Promise<void> {
    this.child = spawn('redis-server', ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
    await waitForPort(this.port);
  }

  async stop(): Promise<void> {
    const child = this.child;
    this.child = null;
    if (!child || child.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGKILL');
    });
  }
}

const DEBIAN_PG_BIN = '/usr/lib/postgresql/15/bin';
let pgBin: string | undefined;

/** Debian's PostgreSQL 15 when installed, else the embedded-postgres binaries every install has. */
function postgresBin(): string {
  pgBin ??= existsSync(path.join(DEBIAN_PG_BIN, 'pg_ctl')) ? DEBIAN_PG_BIN : embeddedPostgresBinaries(pino({ level: 'silent' }));
  return pgBin;
}

/**
 * A private PostgreSQL cluster (initdb in a temp dir, trust auth, a free port; never the shared
 * 5432 server), run as the postgres user when we are root, stopped and started on the same port.
 */
export class PrivatePostgres {
  readonly url: string;

  private constructor(
    readonly port: number,
    private readonly dir: string,
  ) {
    this.url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  }

  static async start(): Promise<PrivatePostgres> {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'quickstock-fault-pg-'));
    if (os.userInfo().uid === 0) chownSync(dir, uid('postgres'), gid('postgres'));
    const pg = new PrivatePostgres(await freePort(), dir);
    pg.run('initdb', ['-D', pg.dataDir, '-U', 'postgres', '--auth=trust', '--encoding=UTF8', '--locale=C']);
    await pg.resume();
    return pg;
  }

  private get dataDir(): string {
    return path.join(this.dir, 'data');
  }

  async resume(): Promise<void> {
    const options = `-p ${this.port} -c listen_addresses=127.0.0.1 -c unix_socket_directories='' -c max_connections=50`;
    this.run('pg_ctl', ['-D', this.dataDir, '-l', path.join(this.dir, 'log'), '-o', options, '-w', 'start']);
    await waitForPort(this.port);
  }

  /** `fast`: active connections are cut, as in a crash or failover of the server. */
  stop(mode: 'fast' | 'immediate' = 'fast'): void {
    this.run('pg_ctl', ['-D', this.dataDir, '-m', mode, '-w', 'stop']);
  }

  destroy(): void {
    try {
      this.stop('immediate');
    } catch {
      // already stopped
    }
    rmSync(this.dir, { recursive: true, force: true });
  }

  private run(command: string, args: string[]): void {
    const binary = path.join(postgresBin(), command);
    // cwd '/': the postgres user may not be able to enter ours (a private folder).
    if (os.userInfo().uid === 0) execFileSync('runuser', ['-u', 'postgres', '--', binary, ...args], { stdio: 'ignore', cwd: '/' });
    else execFileSync(binary, args, { stdio: 'ignore' });
  }
}

const uid = (user: string) => Number(execFileSync('id', ['-u', user]).toString().trim());
const gid = (user: string) => Number(execFileSync('id', ['-g', user]).toString().trim());
