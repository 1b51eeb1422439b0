/**
 * Push latency: the time from the HTTP response of a status change to each connected operator's
 * receipt of `order.status_changed`, on loopback, against the production build.
 *
 * The sockets live in child processes (bench/push-clients.ts, ~250 each, BENCH_PUSH_WORKERS to
 * change): one process holding 1,000 clients would decode each broadcast 1,000 times on one event
 * loop, and its last receipt would measure the bench rather than the service. Children stamp
 * receipts with the wall clock at sub-millisecond precision; this process measures each child's
 * clock offset over IPC (the least round trip of a few probes) and subtracts it.
 *
 *   npm run build && npx tsx bench/push-latency.ts [sockets=200] [changes=200]
 *   (with REDIS_URL set, the service runs with the Socket.IO Redis adapter)
 */
import { fork, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { createTestDatabase } from '../test-kit/scratch-database';
import { wallClock, type ChildMessage, type ParentMessage } from './push-clients';
import { BENCH_ADMIN, call, cpuSeconds, percentile, startBuiltService } from './service';

export interface PushLatency {
  sockets: number;
  changes: number;
  samples: number;
  /** Child processes holding the sockets. */
  processes: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  /** CPU time of the service process per status change (its request, the dispatch, the writes); NaN without its pid. */
  serverCpuMsPerChange: number;
}

const SOCKETS_PER_PROCESS = 250;
const CLOCK_PROBES = 20;

interface ClientProcess {
  child: ChildProcess;
  count: number;
  /** Its clock minus ours, in ms. */
  offset: number;
  next(kind: ChildMessage['kind']): Promise<ChildMessage>;
}

/** Forks one client process and routes its messages: 'received' ones to `onReceived`, the rest to `next`. */
function forkClients(count: number, onReceived: (orderId: string, at: number[]) => void): ClientProcess {
  const child = fork(path.join(__dirname, 'push-clients.ts'), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const waiting: { kind: ChildMessage['kind']; resolve: (m: ChildMessage) => void; reject: (e: Error) => void }[] = [];
  child.on('message', (message: ChildMessage) => {
    if (message.kind === 'received') return onReceived(message.orderId, message.at);
    const i = waiting.findIndex((w) => w.kind === message.kind || message.kind === 'failed');
    const [waiter] = i >= 0 ? waiting.splice(i, 1) : [];
    if (message.kind === 'failed') waiter?.reject(new Error(`push client process: ${message.error}`));
    else waiter?.resolve(message);
  });
  child.on('exit', (code) => {
    for (const w of waiting.splice(0)) w.reject(new Error(`push client process exited with ${code}`));
  });
  return {
    child,
    count,
    offset: 0,
    next: (kind) => new Promise((resolve, reject) => waiting.push({ kind, resolve, reject })),
  };
}

/** The child's clock minus ours, from the probe with the least round trip (NTP's estimate). */
async function clockOffset(client: ClientProcess): Promise<number> {
  let best = { rtt: Infinity, offset: 0 };
  for (let i = 0; i < CLOCK_PROBES; i += 1) {
    const sentAt = wallClock();
    const reply = client.next('clock');
    client.child.send({ kind: 'clock' } satisfies ParentMessage);
    const { at } = (await reply) as { at: number };
    const backAt = wallClock();
    if (backAt - sentAt < best.rtt) best = { rtt: backAt - sentAt, offset: at - (sentAt + backAt) / 2 };
  }
  return best.offset;
}

/** Measures against a running service; the caller owns it. */
export async function measurePushLatency(baseUrl: string, socketCount: number, changes: number, serverPid?: number): Promise<PushLatency> {
  const admin = (await call(baseUrl, 'POST', '/api/v1/auth/login', undefined, BENCH_ADMIN)).body.accessToken as string;
  const stamp = Date.now().toString(36);
  const product = (
    await call(baseUrl, 'POST', '/api/v1/products', admin, { sku: `PUSH-${stamp}`, name: 'Push bench', unitPriceCents: 100, initialStock: changes + 10 })
  ).body;
  const email = `push-${stamp}@bench.test`;
  await call(baseUrl, 'POST', '/api/v1/auth/register', undefined, { email, password: 'bench password 123', name: 'Bench buyer' });
  const buyer = (await call(baseUrl, 'POST', '/api/v1/auth/login', undefined, { email, password: 'bench password 123' })).body.accessToken as string;

  const orderIds: string[] = [];
  for (let i = 0; i < changes; i += 1) {
    const res = await call(baseUrl, 'POST', '/api/v1/orders', buyer, {
      items: [{ productId: product.id, quantity: 1 }],
      shippingAddress: { name: 'Bench', line1: 'Via Roma 1', city: 'Milano', postalCode: '20121', country: 'IT' },
    });
    if (res.status !== 201) throw new Error(`order failed: ${res.status} ${JSON.stringify(res.body)}`);
    orderIds.push(res.body.id);
  }

  const processCount = Number(process.env['BENCH_PUSH_WORKERS'] ?? Math.max(1, Math.ceil(socketCount / SOCKETS_PER_PROCESS)));
  const receipts = new Map<string, number[]>(); // orderId → receipt times on our clock, as the children report them
  const clients: ClientProcess[] = [];
  for (let i = 0; i < processCount; i += 1) {
    const count = Math.floor(socketCount / processCount) + (i < socketCount % processCount ? 1 : 0);
    const client = forkClients(count, (orderId, at) => {
      const list = receipts.get(orderId) ?? [];
      for (const t of at) list.push(t - client.offset);
      receipts.set(orderId, list);
    });
    clients.push(client);
  }
  try {
    await Promise.all(
      clients.map(async (client) => {
        const ready = client.next('ready');
        client.child.send({ kind: 'start', baseUrl, token: admin, count: client.count } satisfies ParentMessage);
        await ready;
        client.offset = await clockOffset(client);
      }),
    );

    const latencies: number[] = [];
    const cpuBefore = cpuSeconds(serverPid);
    for (const orderId of orderIds) {
      const res = await call(baseUrl, 'POST', `/api/v1/orders/${orderId}/payments`, admin, { provider: 'manual' });
      const respondedAt = wallClock();
      if (res.status !== 201) throw new Error(`payment failed: ${res.status}`);
      const deadline = Date.now() + 5000;
      while ((receipts.get(orderId)?.length ?? 0) < socketCount && Date.now() < deadline) await new Promise((r) => setTimeout(r, 2));
      const got = receipts.get(orderId) ?? [];
      if (got.length < socketCount) throw new Error(`only ${got.length}/${socketCount} sockets received the change of ${orderId}`);
      // An event may even arrive before the response: that is a latency of zero.
      for (const at of got) latencies.push(Math.max(0, at - respondedAt));
      await new Promise((r) => setTimeout(r, 10));
    }
    const serverCpuMsPerChange = ((cpuSeconds(serverPid) - cpuBefore) * 1000) / changes;
    latencies.sort((a, b) => a - b);
    return {
      serverCpuMsPerChange,
      sockets: socketCount,
      changes,
      samples: latencies.length,
      processes: processCount,
      p50: percentile(latencies, 50),
      p95: percentile(latencies, 95),
      p99: percentile(latencies, 99),
      max: latencies[latencies.length - 1] ?? NaN,
    };
  } finally {
    await Promise.all(
      clients.map(
        ({ child }) =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null) return resolve();
            child.once('exit', () => resolve());
            if (child.connected) child.send({ kind: 'stop' } satisfies ParentMessage);
            setTimeout(() => child.kill('SIGTERM'), 2000).unref();
          }),
      ),
    );
  }
}

async function main(): Promise<void> {
  const socketCount = Number(process.argv[2] ?? 200);
  const changes = Number(process.argv[3] ?? 200);
  const database = await createTestDatabase(); // a fresh database on DATABASE_URL's server, or an embedded one
  const redisUrl = process.env['REDIS_URL'];
  // One admin token opens every socket here, so lift the per-user cap.
  const service = await startBuiltService(database.url, {
    SOCKET_MAX_PER_USER: String(socketCount + 10),
    ...(redisUrl ? { REDIS_URL: redisUrl, REDIS_KEY_PREFIX: `qs-bench-push-${randomUUID()}` } : {}),
  });
  try {
    const result = await measurePushLatency(service.baseUrl, socketCount, changes, service.process.pid);
    const ms = (v: number) => `${v.toFixed(1)} ms`;
    console.log(
      `push latency, ${result.sockets} operator sockets in ${result.processes} client processes, ${result.changes} status changes ` +
        `(${result.samples} receipts), ${redisUrl ? 'Redis adapter' : 'in-memory adapter'}, load average ${os.loadavg()[0]?.toFixed(1)}`,
    );
    console.log(
      `p50 ${ms(result.p50)}  p95 ${ms(result.p95)}  p99 ${ms(result.p99)}  max ${ms(result.max)}  server CPU ${ms(result.serverCpuMsPerChange)} per change`,
    );
  } finally {
    await service.stop();
    await database.drop();
  }
}

if (require.main === module) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
