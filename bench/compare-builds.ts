/**
 * CPU per request of several builds of the service, side by side in one run: each build serves its
 * own fresh database, and the load alternates between them (A B C A B C …), so the noise of a
 * shared machine falls on all of them alike. Compares server CPU ms per answered request, which
 * is steadier there than throughput.
 *
 *   npx tsx bench/compare-builds.ts /path/to/other/checkout[:label] … (this checkout is always included)
 *
 * Each path must hold a production build (`npm run build`: dist/src/main.js). Env: DATABASE_URL,
 * BENCH_ROUNDS (default 3), BENCH_DURATION_S (default 8), BENCH_CONNECTIONS (default 20),
 * BENCH_SCENARIOS (comma-separated subset of the scenarios' names, default all: `POST /orders`,
 * `GET /products`, `GET /orders/{id}` — the customer's own orders, placed unpaid as `make bench` does).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import autocannon from 'autocannon';
import { createTestDatabase, type TestDatabase } from '../test-kit/scratch-database';
import { BENCH_ADMIN, call, startServiceProcess, type RunningService } from './service';

const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 3);
const DURATION = Number(process.env['BENCH_DURATION_S'] ?? 8);
const CONNECTIONS = Number(process.env['BENCH_CONNECTIONS'] ?? 20);
const ROOT = path.resolve(__dirname, '..');
const ADDRESS = { name: 'Ufficio Bench Srl', line1: 'Via Roma 1', city: 'Milano', postalCode: '20121', country: 'IT' };

interface Side {
  label: string;
  service: RunningService;
  database: TestDatabase;
  token: string;
  productIds: string[];
  /** The customer's own orders, for GET /orders/{id}. */
  orderIds: string[];
  cpu: Record<string, number[]>;
  rps: Record<string, number[]>;
}

function cpuSeconds(pid: number | undefined): number {
  if (pid === undefined) return NaN;
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

async function start(label: string, checkout: string): Promise<Side> {
  const database = await createTestDatabase();
  const entry = path.relative(ROOT, path.join(checkout, 'dist/src/main.js'));
  const service = await startServiceProcess({ databaseUrl: database.url, entry, env: { ACCESS_TOKEN_TTL_SECONDS: '7200', RESERVATION_TTL_MINUTES: '10080' } });
  const admin = (await call(service.baseUrl, 'POST', '/api/v1/auth/login', undefined, BENCH_ADMIN)).body.accessToken as string;
  const productIds: string[] = [];
  for (let i = 0; i < 200; i += 1) {
    const res = await call(service.baseUrl, 'POST', '/api/v1/products', admin, {
      sku: `CMP-${i}`,
      name: `Prodotto ${i}`,
      category: `Cat-${i % 10}`,
      unitPriceCents: 100 + i,
      initialStock: 1_000_000,
    });
    productIds.push(res.body.id);
  }
  await call(service.baseUrl, 'POST', '/api/v1/auth/register', undefined, { email: 'cmp@bench.test', password: 'bench password 123', name: 'Cmp' });
  const token = (await call(service.baseUrl, 'POST', '/api/v1/auth/login', undefined, { email: 'cmp@bench.test', password: 'bench password 123' })).body
    .accessToken as string;
  const orderIds: string[] = [];
  for (let i = 0; i < 50; i += 1) {
    const items = [0, 1, 2].map((k) => ({ productId: productIds[(i * 3 + k) % productIds.length] as string, quantity: 1 }));
    orderIds.push((await call(service.baseUrl, 'POST', '/api/v1/orders', token, { items, shippingAddress: ADDRESS })).body.id);
  }
  return { label, service, database, token, productIds, orderIds, cpu: {}, rps: {} };
}

const allScenarios: Record<string, (side: Side) => autocannon.Request> = {
  'POST /orders': (side) => ({
    method: 'POST',
    setupRequest: (req) => ({
      ...req,
      path: '/api/v1/orders',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${side.token}` },
      body: JSON.stringify({
        items: [...new Set(Array.from({ length: 3 }, () => side.productIds[Math.floor(Math.random() * side.productIds.length)]))].map((productId) => ({
          productId,
          quantity: 1,
        })),
        shippingAddress: ADDRESS,
      }),
    }),
  }),
  'GET /products': (side) => ({ method: 'GET', path: '/api/v1/products?limit=20&category=Cat-3', headers: { authorization: `Bearer ${side.token}` } }),
  'GET /orders/{id}': (side) => ({
    method: 'GET',
    setupRequest: (req) => ({
      ...req,
      path: `/api/v1/orders/${side.orderIds[Math.floor(Math.random() * side.orderIds.length)]}`,
      headers: { authorization: `Bearer ${side.token}` },
    }),
  }),
};
const only = process.env['BENCH_SCENARIOS']?.split(',').map((s) => s.trim());
const scenarios = Object.fromEntries(Object.entries(allScenarios).filter(([name]) => !only || only.includes(name)));

async function main(): Promise<void> {
  const others = process.argv.slice(2).map((arg) => {
    const [dir, label] = arg.split(':');
    return { dir: path.resolve(dir as string), label: label ?? path.basename(dir as string) };
  });
  const sides: Side[] = [];
  try {
    for (const { dir, label } of [...others, { dir: ROOT, label: 'this checkout' }]) sides.push(await start(label, dir));
    for (let round = 0; round < ROUNDS; round += 1) {
      for (const [name, request] of Object.entries(scenarios)) {
        for (const side of sides) {
          const pid = side.service.process.pid;
          const before = cpuSeconds(pid);
          const result = await autocannon({ url: side.service.baseUrl, connections: CONNECTIONS, duration: DURATION, requests: [request(side)] });
          const ms = ((cpuSeconds(pid) - before) * 1000) / Math.max(1, result['2xx']);
          (side.cpu[name] ??= []).push(ms);
          (side.rps[name] ??= []).push(result.requests.average);
          process.stderr.write(
            `  round ${round + 1} ${name} ${side.label}: ${ms.toFixed(2)} ms CPU/req, ${result.requests.average.toFixed(0)} req/s, non-2xx ${result.non2xx}\n`,
          );
        }
      }
    }
    const mean = (values: number[] = []) => values.reduce((a, b) => a + b, 0) / Math.max(1, values.length);
    console.log(
      `| build | ${Object.keys(scenarios)
        .map((s) => `${s} CPU ms/req (req/s)`)
        .join(' | ')} |`,
    );
    console.log(
      `|---|${Object.keys(scenarios)
        .map(() => '---')
        .join('|')}|`,
    );
    for (const side of sides) {
      console.log(
        `| ${side.label} | ${Object.keys(scenarios)
          .map((s) => `${mean(side.cpu[s]).toFixed(2)} (${mean(side.rps[s]).toFixed(0)})`)
          .join(' | ')} |`,
      );
    }
  } finally {
    for (const side of sides) {
      await side.service.stop();
      await side.database.drop();
    }
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
