import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';

/**
 * The service as a child process, for the tests (test/support/services.ts) and the benchmarks
 * (bench/service.ts): each adds its own settings; this file only spawns, waits and stops.
 */
const ROOT = path.resolve(__dirname, '..');

/**
 * A port for a child service to listen on, never one this process handed out before. Two reasons:
 * - The port is chosen here and bound by the child a moment later, so two processes asking the
 *   kernel at once may be handed the same one: the second child then fails to bind while its parent
 *   finds the first child answering on "its" port, and its test talks to another test's service.
 * - The kernel hands a just-freed port out again, and fetch keeps idle keep-alive connections: a
 *   request to the new service on that port may go down a connection to the stopped one ("other
 *   side closed").
 * So each process takes ports in turn from a range of its own (a mocha worker by its id, a serial
 * run the last one), below Linux's ephemeral range where no port-0 bind lands.
 */
export async function freePort(): Promise<number> {
  const worker = process.env['MOCHA_WORKER_ID'];
  const base = 20_000 + (worker === undefined ? 10 : Number(worker) % 10) * 1_000;
  for (let i = 0; i < 1_000; i += 1) {
    const port = base + (nextInRange++ % 1_000);
    if (await canListen(port)) return port;
  }
  return kernelPort();
}

let nextInRange = 0;

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

function kernelPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

export interface RunningService {
  baseUrl: string;
  port: number;
  process: ChildProcess;
  /** Every JSON log line the process wrote to stdout, parsed (only with `captureLogs`). */
  logs: Record<string, unknown>[];
  /** SIGTERM, then waits for the exit. */
  stop(): Promise<void>;
}

export interface ServiceProcessOptions {
  /** A process entry from the project root: `src/main.ts` (with `--import tsx`) or `dist/src/main.js`. */
  entry: string;
  nodeArgs?: string[];
  /** The whole environment of the service besides PATH, HOME and PORT (no defaults are added here). */
  env: Record<string, string>;
  /** Parse stdout as JSON log lines into `logs` instead of passing it through. */
  captureLogs?: boolean;
  readyTimeoutMs?: number;
}

/** Starts a process entry of the service on a free port and waits until `/health/ready` answers 200. */
export async function startServiceProcess(options: ServiceProcessOptions): Promise<RunningService> {
  const port = await freePort();
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), path.join(ROOT, options.entry)], {
    cwd: ROOT,
    env: { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? os.tmpdir(), ...options.env, PORT: String(port) },
    stdio: ['ignore', options.captureLogs ? 'pipe' : 'inherit', 'inherit'],
  });
  const logs: Record<string, unknown>[] = [];
  if (options.captureLogs && child.stdout) {
    createInterface({ input: child.stdout }).on('line', (line) => {
      try {
        logs.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        // not a log line
      }
    });
  }
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      await exited;
    }
  };
  const baseUrl = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + (options.readyTimeoutMs ?? 60_000);
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${options.entry} exited with ${child.exitCode} before it was ready`);
    try {
      if ((await fetch(`${baseUrl}/health/ready`)).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`${options.entry} was not ready in ${Math.round((options.readyTimeoutMs ?? 60_000) / 1000)} s`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { baseUrl, port, process: child, logs, stop };
}

/** A tiny JSON client (set-up calls of benchmarks and fault specs, where no typed client fits). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- callers read the untyped JSON of set-up calls
export async function call<T = any>(baseUrl: string, method: string, urlPath: string, token?: string, body?: unknown): Promise<{ status: number; body: T }> {
  const res = await fetch(`${baseUrl}${urlPath}`, {
    method,
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T };
}
