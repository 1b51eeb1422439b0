/**
 * Push latency: the time from the HTTP response of a status change to each connected operator's
 * receipt of `order.status_changed`, on loopback, against the production build.
 *
 *   npm run build && npx tsx bench/push-latency.ts [sockets=200] [changes=200]
 */
import { io, type Socket } from 'socket.io-client';
import { createTestDatabase } from '../test/support/database';
import { BENCH_ADMIN, call, percentile, startBuiltService } from './service';

export interface PushLatency {
  sockets: number;
  changes: number;
  samples: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

/** Measures against a running service; the caller owns it. */
export async function measurePushLatency(baseUrl: string, socketCount: number, changes: number): Promise<PushLatency> {
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

  const receipts = new Map<string, number[]>(); // orderId → receipt times
  const sockets: Socket[] = [];
  await Promise.all(
    Array.from({ length: socketCount }, () => {
      const socket = io(baseUrl, { auth: { token: admin }, transports: ['websocket'], reconnection: false, forceNew: true });
      sockets.push(socket);
      socket.on('order.status_changed', (event: { data: { orderId: string; to: string } }) => {
        if (event.data.to !== 'paid') return;
        const at = performance.now();
        const list = receipts.get(event.data.orderId) ?? [];
        list.push(at);
        receipts.set(event.data.orderId, list);
      });
      return new Promise<void>((resolve, reject) => {
        socket.once('connect', () => resolve());
        socket.once('connect_error', reject);
      });
    }),
  );

  const latencies: number[] = [];
  for (const orderId of orderIds) {
    const res = await call(baseUrl, 'POST', `/api/v1/orders/${orderId}/payments`, admin, { provider: 'manual' });
    const respondedAt = performance.now();
    if (res.status !== 201) throw new Error(`payment failed: ${res.status}`);
    const deadline = Date.now() + 5000;
    while ((receipts.get(orderId)?.length ?? 0) < socketCount && Date.now() < deadline) await new Promise((r) => setTimeout(r, 2));
    const got = receipts.get(orderId) ?? [];
    if (got.length < socketCount) throw new Error(`only ${got.length}/${socketCount} sockets received the change of ${orderId}`);
    // An event may even arrive before the response: that is a latency of zero.
    for (const at of got) latencies.push(Math.max(0, at - respondedAt));
    await new Promise((r) => setTimeout(r, 10));
  }
  for (const socket of sockets) socket.close();
  latencies.sort((a, b) => a - b);
  return {
    sockets: socketCount,
    changes,
    samples: latencies.length,
    p50: percentile(latencies, 50),
    p95: percentile(latencies, 95),
    p99: percentile(latencies, 99),
    max: latencies[latencies.length - 1] ?? NaN,
  };
}

async function main(): Promise<void> {
  const socketCount = Number(process.argv[2] ?? 200);
  const changes = Number(process.argv[3] ?? 200);
  const database = await createTestDatabase(); // a fresh database on DATABASE_URL's server, or an embedded one
  // One admin token opens every socket here, so lift the per-user cap.
  const service = await startBuiltService(database.url, { SOCKET_MAX_PER_USER: String(socketCount + 10) });
  try {
    const result = await measurePushLatency(service.baseUrl, socketCount, changes);
    const ms = (v: number) => `${v.toFixed(1)} ms`;
    console.log(`push latency, ${result.sockets} operator sockets, ${result.changes} status changes (${result.samples} receipts)`);
    console.log(`p50 ${ms(result.p50)}  p95 ${ms(result.p95)}  p99 ${ms(result.p99)}  max ${ms(result.max)}`);
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
