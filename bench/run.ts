/**
 * `make bench`: the service (production build) against a bare node:http + pg reference doing the
 * same order transaction, side by side in one run, alternating A B A B; then push latency to 1,000
 * operator sockets (BENCH_PUSH_SOCKETS), 1 vs 2 cluster workers, and the stock invariant.
 *
 * Env: DATABASE_URL (else an embedded PostgreSQL), REDIS_URL (needed for the 2-worker run; push then
 * goes through the Socket.IO Redis adapter),
 * BENCH_DURATION_S (default 10 per run), BENCH_ROUNDS (default 2), BENCH_CONNECTIONS (default 50),
 * BENCH_ONLY (comma-separated subset of: random, hot, products, order, push, workers, webhooks, mail, import).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import autocannon from 'autocannon';
import { Client } from 'pg';
import { createTestDatabase } from '../test-kit/scratch-database';
import { measurePushLatency } from './push-latency';
import { receiverCertificate, webhookOverhead } from './webhooks-scenario';
import { mailOverhead } from './mail-scenario';
import { importBench, importLines } from './import';
import { BENCH_ADMIN, BENCH_LIMITS_OFF, call, cpuSeconds, freePort, startBuiltService, type RunningService } from './service';

const DURATION = Number(process.env['BENCH_DURATION_S'] ?? 10);
const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 2);
const CONNECTIONS = Number(process.env['BENCH_CONNECTIONS'] ?? 50);
/** Operator sockets of the push-latency run (issue 17: p95 < 100 ms at 1,000). */
const PUSH_SOCKETS = Number(process.env['BENCH_PUSH_SOCKETS'] ?? 1000);
const ONLY = new Set((process.env['BENCH_ONLY'] ?? 'random,hot,products,order,push,workers,webhooks,mail,import').split(',').map((s) => s.trim()));
const PRODUCTS = 1000;
const CATEGORIES = 10;
const CUSTOMERS = 20;
const INITIAL_STOCK = 1_000_000;
const ADDRESS = {
  name: 'Ufficio Bench Srl',
  line1: 'Via Roma 1',
  city: 'Milano',
  postalCode: '20121',
  province: 'MI',
  country: 'IT',
};
const SERVICE_ENV = {
  ACCESS_TOKEN_TTL_SECONDS: '7200',
  RESERVATION_TTL_MINUTES: '10080',
  SWEEPER_INTERVAL_MS: '60000',
  SOCKET_MAX_PER_USER: '1000',
  // The webhooks scenario's receiver listens on loopback.
  WEBHOOK_ALLOWED_CIDRS: '127.0.0.1/32',
};

interface Figures {
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  ok: number;
  /** CPU time of the server process per answered request (less noisy than throughput on a shared machine). */
  cpuMsPerRequest: number;
}

interface Target {
  label: string;
  url: string;
  setup: (req: autocannon.Request) => autocannon.Request;
}

/** Server processes by base URL, to read their CPU time (Linux /proc). */
const serverPids = new Map<string, number>();

function pick<T>(list: readonly T[]): T {
  return list[Math.floor(Math.random() * list.length)] as T;
}

function randomLines(productIds: readonly string[], maxLines: number): { productId: string; quantity: number }[] {
  const count = 1 + Math.floor(Math.random() * maxLines);
  const chosen = new Set<string>();
  while (chosen.size < Math.min(count, productIds.length)) chosen.add(pick(productIds));
  return [...chosen].map((productId) => ({
    productId,
    quantity: 1 + Math.floor(Math.random() * 3),
  }));
}

async function load(target: Target, method: 'GET' | 'POST'): Promise<Figures> {
  const pid = serverPids.get(target.url);
  const cpuBefore = cpuSeconds(pid);
  const result = await autocannon({
    url: target.url,
    connections: CONNECTIONS,
    duration: DURATION,
    requests: [{ method, setupRequest: target.setup }],
  });
  return {
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors + result.timeouts + result.non2xx,
    ok: result['2xx'],
    cpuMsPerRequest: ((cpuSeconds(pid) - cpuBefore) * 1000) / Math.max(1, result['2xx']),
  };
}

/** Runs each target ROUNDS times, alternating, and returns the per-target mean of the figures. */
async function alternate(targets: Target[], method: 'GET' | 'POST'): Promise<Figures[]> {
  const runs: Figures[][] = targets.map(() => []);
  for (let round = 0; round < ROUNDS; round += 1) {
    for (const [i, target] of targets.entries()) {
      const figures = await load(target, method);
      runs[i]?.push(figures);
      process.stderr.write(
        `  ${target.label} round ${round + 1}: ${figures.rps.toFixed(0)} req/s, p99 ${figures.p99} ms, errors ${figures.errors}, CPU ${figures.cpuMsPerRequest.toFixed(2)} ms/req\n`,
      );
    }
  }
  return runs.map(averageFigures);
}

/** One run of POST /orders against `target`, logged under `label`. */
async function loadOrders(target: Target, label: string): Promise<Figures> {
  const figures = await load(target, 'POST');
  process.stderr.write(`  ${label}: ${figures.rps.toFixed(0)} req/s, p99 ${figures.p99} ms, errors ${figures.errors}\n`);
  return figures;
}

const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;

/** The mean of several runs' figures (errors and answers added up). */
function averageFigures(list: Figures[]): Figures {
  return {
    rps: mean(list.map((f) => f.rps)),
    p50: mean(list.map((f) => f.p50)),
    p99: mean(list.map((f) => f.p99)),
    errors: list.reduce((n, f) => n + f.errors, 0),
    ok: list.reduce((n, f) => n + f.ok, 0),
    cpuMsPerRequest: mean(list.map((f) => f.cpuMsPerRequest)),
  };
}

async function startReference(databaseUrl: string): Promise<{ url: string; process: ChildProcess }> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, 'reference-server.ts')], {
    env: {
      ...process.env,
      DATABASE_URL: databaseUrl,
      PORT: String(port),
      DB_POOL_MAX: '10',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('listening')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`reference exited with ${code}`)));
  });
  return { url: `http://127.0.0.1:${port}`, process: child };
}

async function seed(service: RunningService) {
  const base = service.baseUrl;
  const admin = (await call(base, 'POST', '/api/v1/auth/login', undefined, BENCH_ADMIN)).body.accessToken as string;
  const productIds: string[] = [];
  const stamp = Date.now().toString(36);
  for (let start = 0; start < PRODUCTS; start += 20) {
    const batch = await Promise.all(
      Array.from({ length: Math.min(20, PRODUCTS - start) }, (_, k) => {
        const n = start + k;
        return call(base, 'POST', '/api/v1/products', admin, {
          sku: `B-${stamp}-${n}`,
          name: `Articolo ${n} ${pick(['penna', 'quaderno', 'toner', 'risma', 'cartella', 'evidenziatore'])}`,
          category: `Cat-${n % CATEGORIES}`,
          unitPriceCents: 50 + (n % 500) * 7,
          vatRate: n % 7 === 0 ? 10 : 22,
          reorderLevel: 10,
          initialStock: INITIAL_STOCK,
        });
      }),
    );
    for (const res of batch) {
      if (res.status !== 201) throw new Error(`seeding a product failed: ${res.status} ${JSON.stringify(res.body)}`);
      productIds.push(res.body.id);
    }
  }
  const customers: { id: string; token: string; orderIds: string[] }[] = [];
  for (let i = 0; i < CUSTOMERS; i += 1) {
    const email = `bench-${stamp}-${i}@bench.test`;
    const registered = await call(base, 'POST', '/api/v1/auth/register', undefined, {
      email,
      password: 'bench password 123',
      name: `Cliente ${i}`,
    });
    const token = (
      await call(base, 'POST', '/api/v1/auth/login', undefined, {
        email,
        password: 'bench password 123',
      })
    ).body.accessToken as string;
    const orderIds: string[] = [];
    for (let k = 0; k < 5; k += 1) {
      const order = await call(base, 'POST', '/api/v1/orders', token, {
        items: randomLines(productIds, 5),
        shippingAddress: ADDRESS,
      });
      orderIds.push(order.body.id);
    }
    customers.push({ id: registered.body.id, token, orderIds });
  }
  return { admin, productIds, hot: productIds.slice(0, 3), customers };
}

/** For every product: onHand is the sum of its ledger and reserved is what live orders hold. */
async function checkStockInvariant(databaseUrl: string): Promise<{
  products: number;
  wrong: number;
  oversold: number;
  orders: number;
}> {
  const db = new Client({ connectionString: databaseUrl });
  await db.connect();
  try {
    const { rows } = await db.query(`
      SELECT count(*)::int AS products,
             count(*) FILTER (WHERE p.on_hand <> m.total OR p.reserved <> coalesce(r.held, 0))::int AS wrong,
             count(*) FILTER (WHERE p.reserved > p.on_hand)::int AS oversold
        FROM products p
        JOIN (SELECT product_id, sum(delta) AS total FROM stock_movements GROUP BY product_id) m ON m.product_id = p.id
        LEFT JOIN (SELECT oi.product_id, sum(oi.quantity) AS held FROM order_items oi JOIN orders o ON o.id = oi.order_id
                    WHERE o.status IN ('pending_payment', 'paid', 'in_preparation') GROUP BY oi.product_id) r ON r.product_id = p.id`);
    const orders = await db.query('SELECT count(*)::int AS n FROM orders');
    return { ...rows[0], orders: orders.rows[0].n };
  } finally {
    await db.end();
  }
}

function table(rows: string[][]): string {
  const widths = rows[0]?.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length))) ?? [];
  const line = (r: string[]) => `| ${r.map((cell, c) => cell.padEnd(widths[c] ?? 0)).join(' | ')} |`;
  return [line(rows[0] ?? []), `| ${widths.map((w) => '-'.repeat(w)).join(' | ')} |`, ...rows.slice(1).map(line)].join('\n');
}

async function main(): Promise<void> {
  const database = await createTestDatabase();
  const started: { stop(): Promise<void> }[] = [];
  const results: string[][] = [['scenario', 'side', 'req/s', 'p50 ms', 'p99 ms', 'errors', 'server CPU ms/req']];
  const ratios: string[][] = [['comparison', 'ratio', 'target', 'verdict']];
  /** A ratio against the issue's target: at least `min`, or at most `max`. */
  const ratio = (comparison: string, value: number, goal: { min: number } | { max: number }) =>
    ratios.push([
      comparison,
      value.toFixed(2),
      'min' in goal ? `≥ ${goal.min.toFixed(2)}` : `≤ ${goal.max.toFixed(2)}`,
      ('min' in goal ? value >= goal.min : value <= goal.max) ? 'met' : 'MISSED (docs/performance.md: where the time goes)',
    ]);
  let productsCpuMs: number | undefined;
  const row = (scenario: string, side: string, f: Figures) =>
    results.push([
      scenario,
      side,
      f.rps.toFixed(0),
      f.p50.toFixed(1),
      f.p99.toFixed(1),
      String(f.errors),
      Number.isNaN(f.cpuMsPerRequest) ? '–' : f.cpuMsPerRequest.toFixed(2),
    ]);
  const stopService = async (s: RunningService) => {
    await s.stop();
    if (started.includes(s)) started.splice(started.indexOf(s), 1);
  };
  let okOrders = 0;
  let orderRuns = 0;
  /** Order runs of a scenario without and with something, each averaged, and their ratio (target ≥ 0.90). */
  const compareOrderRuns = (base: [string, Figures[]], other: [string, Figures[]], comparison: string) => {
    const [a, b] = [averageFigures(base[1]), averageFigures(other[1])];
    okOrders += a.ok + b.ok;
    orderRuns += base[1].length + other[1].length;
    row(base[0], 'service', a);
    row(other[0], 'service', b);
    ratio(comparison, b.rps / a.rps, { min: 0.9 });
  };
  try {
    process.stderr.write('starting the service and the reference…\n');
    const tls = ONLY.has('webhooks') ? receiverCertificate() : null;
    const service = await startBuiltService(database.url, { ...SERVICE_ENV, ...(tls ? { NODE_EXTRA_CA_CERTS: tls.certFile } : {}) });
    started.push(service);
    const reference = await startReference(database.url);
    serverPids.set(service.baseUrl, service.process.pid as number);
    serverPids.set(reference.url, reference.process.pid as number);
    started.push({ stop: async () => void reference.process.kill('SIGTERM') });
    process.stderr.write(`seeding ${PRODUCTS} products and ${CUSTOMERS} customers…\n`);
    const data = await seed(service);
    okOrders += CUSTOMERS * 5;

    const orderTarget = (label: string, base: string, ids: readonly string[], maxLines: number, asService: boolean): Target => ({
      label,
      url: base,
      setup: (req) => {
        const customer = pick(data.customers);
        const items = randomLines(ids, maxLines);
        return asService
          ? {
              ...req,
              path: '/api/v1/orders',
              headers: {
                'content-type': 'application/json',
                authorization: `Bearer ${customer.token}`,
              },
              body: JSON.stringify({ items, shippingAddress: ADDRESS }),
            }
          : {
              ...req,
              path: '/orders',
              headers: { 'content-type': 'application/json' },
              body: JSON.stringify({
                customerId: customer.id,
                items,
                shippingAddress: ADDRESS,
              }),
            };
      },
    });

    // Issue 31's targets: orders ≥ 0.60 of the reference, hot rows ≥ 0.70.
    for (const [key, scenario, ids, maxLines, target] of [
      ['random', 'POST /orders random 1-5 lines', data.productIds, 5, 0.6],
      ['hot', 'POST /orders hot rows (3 products)', data.hot, 3, 0.7],
    ] as const) {
      if (!ONLY.has(key)) continue;
      process.stderr.write(`${scenario}\n`);
      const [svc, ref] = await alternate(
        [orderTarget('service', service.baseUrl, ids, maxLines, true), orderTarget('reference', reference.url, ids, maxLines, false)],
        'POST',
      );
      if (!svc || !ref) throw new Error('missing figures');
      okOrders += svc.ok + ref.ok;
      orderRuns += 2 * ROUNDS;
      row(scenario, 'service', svc);
      row(scenario, 'reference', ref);
      ratio(`${scenario}: service/reference`, svc.rps / ref.rps, { min: target });
    }

    if (ONLY.has('webhooks')) {
      const scenario = 'POST /orders random, 3 webhook subscriptions';
      process.stderr.write(`${scenario}\n`);
      const target = orderTarget('service', service.baseUrl, data.productIds, 5, true);
      const hooks = await webhookOverhead(service.baseUrl, data.admin, tls!, ROUNDS, (label) => loadOrders(target, label));
      compareOrderRuns(
        ['POST /orders random, no webhook subscription', hooks.without],
        [scenario, hooks.with],
        `${scenario}: with/without (${hooks.delivered} webhooks delivered, the last ${hooks.drainSeconds.toFixed(0)} s after the load)`,
      );
    }

    if (ONLY.has('products')) {
      process.stderr.write('GET /products?limit=20&category\n');
      const listSetup = (asService: boolean) => (req: autocannon.Request) => {
        const category = `Cat-${Math.floor(Math.random() * CATEGORIES)}`;
        return asService
          ? {
              ...req,
              path: `/api/v1/products?limit=20&category=${category}`,
              headers: {
                authorization: `Bearer ${pick(data.customers).token}`,
              },
            }
          : { ...req, path: `/products?limit=20&category=${category}` };
      };
      const [svcList, refList] = await alternate(
        [
          { label: 'service', url: service.baseUrl, setup: listSetup(true) },
          { label: 'reference', url: reference.url, setup: listSetup(false) },
        ],
        'GET',
      );
      if (!svcList || !refList) throw new Error('missing figures');
      row('GET /products?limit=20&category=…', 'service', svcList);
      row('GET /products?limit=20&category=…', 'reference', refList);
      ratio('GET /products: service/reference', svcList.rps / refList.rps, { min: 0.7 });
      productsCpuMs = svcList.cpuMsPerRequest;
    }

    if (ONLY.has('order')) {
      process.stderr.write('GET /orders/{id} as the owner\n');
      const [getOrder] = await alternate(
        [
          {
            label: 'service',
            url: service.baseUrl,
            setup: (req) => {
              const customer = pick(data.customers);
              return {
                ...req,
                path: `/api/v1/orders/${pick(customer.orderIds)}`,
                headers: { authorization: `Bearer ${customer.token}` },
              };
            },
          },
        ],
        'GET',
      );
      if (!getOrder) throw new Error('missing figures');
      row('GET /orders/{id} (owner)', 'service', getOrder);
      if (productsCpuMs !== undefined) ratio('GET /orders/{id} server CPU / GET /products server CPU', getOrder.cpuMsPerRequest / productsCpuMs, { max: 1.2 });
    }

    let push: Awaited<ReturnType<typeof measurePushLatency>> | null = null;
    const redisUrl = process.env['REDIS_URL'];
    if (ONLY.has('push')) {
      // With REDIS_URL, push goes through the Socket.IO Redis adapter, as it does with several
      // instances. The first service stops first: its dispatcher (no adapter) could drain the events.
      if (redisUrl) await stopService(service);
      const pushService = redisUrl
        ? await startBuiltService(database.url, { ...SERVICE_ENV, REDIS_URL: redisUrl, REDIS_KEY_PREFIX: `qs-bench-push-${randomUUID()}` })
        : service;
      if (pushService !== service) started.push(pushService);
      process.stderr.write(`push latency to ${PUSH_SOCKETS} operator sockets${redisUrl ? ' (Redis adapter)' : ''}\n`);
      push = await measurePushLatency(pushService.baseUrl, PUSH_SOCKETS, 100, pushService.process.pid);
      okOrders += 100;
      if (pushService !== service) await stopService(pushService);
    }

    let workers: string[][] = [];
    if (redisUrl && ONLY.has('workers')) {
      process.stderr.write('1 vs 2 cluster workers (POST /orders random)\n');
      await stopService(service);
      const prefix = `qs-bench-${randomUUID()}`;
      const one = await startBuiltService(database.url, {
        ...SERVICE_ENV,
        REDIS_URL: redisUrl,
        REDIS_KEY_PREFIX: prefix,
      });
      started.push(one);
      serverPids.set(one.baseUrl, one.process.pid as number);
      const two = await startBuiltService(database.url, {
        ...SERVICE_ENV,
        REDIS_URL: redisUrl,
        REDIS_KEY_PREFIX: prefix,
        CLUSTER_WORKERS: '2',
      });
      started.push(two);
      const [w1, w2] = await alternate(
        [orderTarget('1 worker', one.baseUrl, data.productIds, 5, true), orderTarget('2 workers', two.baseUrl, data.productIds, 5, true)],
        'POST',
      );
      if (!w1 || !w2) throw new Error('missing figures');
      okOrders += w1.ok + w2.ok;
      orderRuns += 2 * ROUNDS;
      row('POST /orders random, CLUSTER_WORKERS=1', 'service', w1);
      row('POST /orders random, CLUSTER_WORKERS=2', 'service', w2);
      workers = [['2 workers / 1 worker', (w2.rps / w1.rps).toFixed(2), '(report)']];
    }

    if (ONLY.has('mail')) {
      const scenario = 'POST /orders random, mail on with the SMTP server hanging';
      process.stderr.write(`${scenario} (20 payments/s mailed beside the load)\n`);
      // The mail scenario starts a service per side (with and without SMTP_URL): no other may run its fan-out meanwhile.
      await stopService(service);
      const mail = await mailOverhead(
        database.url,
        data.admin,
        ROUNDS,
        async (env) => {
          const s = await startBuiltService(database.url, { ...SERVICE_ENV, ...env });
          started.push(s);
          serverPids.set(s.baseUrl, s.process.pid as number);
          return s;
        },
        (s, label) => loadOrders(orderTarget('service', s.baseUrl, data.productIds, 5, true), label),
      );
      compareOrderRuns(
        ['POST /orders random, mail off (no SMTP_URL)', mail.off],
        [scenario, mail.on],
        `${scenario}: on/off (${mail.mailed} mails queued; the backlog drained ${mail.drainSeconds.toFixed(0)} s after the server answered${mail.stillPending > 0 ? `, ${mail.stillPending} STILL PENDING` : ''})`,
      );
    }

    // The CSV import (issue 30) on a database and service of its own: 100,000 products would change the lists' figures.
    const imports = ONLY.has('import') ? await importBench() : [];

    const invariant = await checkStockInvariant(database.url);
    const inFlightAllowance = CONNECTIONS * orderRuns;
    const cpu = os.cpus();
    console.log(`\nQuickStock benchmark — ${new Date().toISOString()} — ${cpu.length} × ${cpu[0]?.model ?? 'cpu'}, Node ${process.version}`);
    console.log(`${CONNECTIONS} connections, ${DURATION} s per run, ${ROUNDS} alternating rounds per side, load generator on the same machine\n`);
    console.log(
      `per-user limits turned off for the load: ${Object.keys(BENCH_LIMITS_OFF)
        .map((k) => `${k}=0`)
        .join(', ')}\n`,
    );
    console.log(table(results));
    console.log('');
    console.log(table([...ratios, ...workers]));
    console.log('');
    if (push)
      console.log(
        `push latency, ${push.sockets} operator sockets (in ${push.processes} client processes, ${redisUrl ? 'Redis adapter' : 'in-memory adapter'}) × ${push.changes} status changes: ` +
          `p50 ${push.p50.toFixed(1)} ms, p95 ${push.p95.toFixed(1)} ms, p99 ${push.p99.toFixed(1)} ms, max ${push.max.toFixed(1)} ms, server CPU ${push.serverCpuMsPerChange.toFixed(1)} ms per change (target p95 < 100 ms; load average ${os.loadavg()[0]?.toFixed(1)})`,
      );
    for (const line of importLines(imports)) console.log(line);
    console.log(
      `stock invariant over ${invariant.products} products: ${invariant.wrong} wrong, ${invariant.oversold} oversold; ` +
        `orders stored ${invariant.orders}, 201 responses counted ${okOrders} (autocannon drops the responses still in flight when a run ends: at most ${inFlightAllowance})`,
    );
    const unexplained = invariant.orders - okOrders;
    if (invariant.wrong > 0 || invariant.oversold > 0 || unexplained < 0 || unexplained > inFlightAllowance) {
      console.log('INVARIANT VIOLATED');
      process.exitCode = 1;
    }
  } finally {
    for (const s of started.reverse()) await s.stop().catch(() => undefined);
    await database.drop();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
