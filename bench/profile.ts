/**
 * Where does the service spend its CPU? Starts the production build under `--cpu-prof`, drives one
 * scenario with autocannon, stops it and prints the functions and packages with the most self time.
 *
 *   npx tsx bench/profile.ts [orders|products|order] [seconds=10]
 *
 * `orders` places orders (POST /orders), `products` reads a product page, `order` reads the customer's
 * own orders one by one (GET /orders/{id}, 50 orders placed unpaid first).
 */
import { readdirSync, readFileSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import { createTestDatabase } from '../test-kit/scratch-database';
import { BENCH_ADMIN, call, startBuiltService } from './service';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}

function packageOf(url: string, functionName: string): string {
  const where = url.replace(/^file:\/\//, '');
  if (where.includes('node_modules/')) {
    const rest = where.split('node_modules/').pop() ?? '';
    return rest
      .split('/')
      .slice(0, rest.startsWith('@') ? 2 : 1)
      .join('/');
  }
  if (where.includes('/dist/src/')) return `quickstock/${where.split('/dist/src/')[1]?.split('/')[0] ?? ''}`;
  return where === '' ? `(${functionName || 'native'})` : 'node:internal';
}

function summarise(file: string): void {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as { nodes: ProfileNode[]; samples: number[] };
  const total = profile.samples.length;
  const byFunction = new Map<string, number>();
  const byPackage = new Map<string, number>();
  // Inclusive: a sample counts for every package on its stack (how much time passes through it).
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const nodesById = new Map(profile.nodes.map((n) => [n.id, n]));
  const inclusive = new Map<string, number>();
  for (const node of profile.nodes) {
    const hits = node.hitCount ?? 0;
    if (hits === 0) continue;
    const seen = new Set<string>();
    for (let id: number | undefined = node.id; id !== undefined; id = parent.get(id)) {
      const frame = nodesById.get(id)?.callFrame;
      if (frame) seen.add(packageOf(frame.url, frame.functionName));
    }
    for (const pkg of seen) inclusive.set(pkg, (inclusive.get(pkg) ?? 0) + hits);
  }
  for (const node of profile.nodes) {
    const hits = node.hitCount ?? 0;
    if (hits === 0) continue;
    const { functionName, url, lineNumber } = node.callFrame;
    const where = url.replace(/^file:\/\//, '');
    const pkg = packageOf(url, functionName);
    const fn = `${functionName || '(anonymous)'} ${path.basename(where)}:${lineNumber + 1}`;
    byFunction.set(fn, (byFunction.get(fn) ?? 0) + hits);
    byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + hits);
  }
  const top = (map: Map<string, number>, n: number) =>
    [...map.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([k, v]) => `${((100 * v) / total).toFixed(1).padStart(5)} %  ${k}`)
      .join('\n');
  console.log(`\nself time by package (${total} samples):\n${top(byPackage, 15)}`);
  console.log(`\nself time by function:\n${top(byFunction, 25)}`);
  console.log(`\ntime with the package on the stack (inclusive):\n${top(inclusive, 25)}`);
}

async function main(): Promise<void> {
  const scenario = process.argv[2] ?? 'orders';
  const seconds = Number(process.argv[3] ?? 10);
  const profDir = mkdtempSync(path.join(os.tmpdir(), 'quickstock-prof-'));
  const database = await createTestDatabase();
  const service = await startBuiltService(database.url, { RESERVATION_TTL_MINUTES: '10080' }, ['--cpu-prof', `--cpu-prof-dir=${profDir}`]);
  try {
    const admin = (await call(service.baseUrl, 'POST', '/api/v1/auth/login', undefined, BENCH_ADMIN)).body.accessToken as string;
    const products: string[] = [];
    for (let i = 0; i < 100; i += 1) {
      const res = await call(service.baseUrl, 'POST', '/api/v1/products', admin, {
        sku: `P-${i}`,
        name: `Prodotto ${i}`,
        category: `Cat-${i % 10}`,
        unitPriceCents: 100 + i,
        initialStock: 1_000_000,
      });
      products.push(res.body.id);
    }
    await call(service.baseUrl, 'POST', '/api/v1/auth/register', undefined, { email: 'p@bench.test', password: 'bench password 123', name: 'P' });
    const token = (await call(service.baseUrl, 'POST', '/api/v1/auth/login', undefined, { email: 'p@bench.test', password: 'bench password 123' })).body
      .accessToken;
    const address = { name: 'X', line1: 'Via Roma 1', city: 'Milano', postalCode: '20121', country: 'IT' };
    const orderIds: string[] = [];
    for (let i = 0; scenario === 'order' && i < 50; i += 1) {
      const items = [0, 1, 2].map((k) => ({ productId: products[(i * 3 + k) % products.length], quantity: 1 }));
      orderIds.push((await call(service.baseUrl, 'POST', '/api/v1/orders', token, { items, shippingAddress: address })).body.id);
    }
    const readOrder: autocannon.Request = {
      method: 'GET',
      setupRequest: (req) => ({
        ...req,
        path: `/api/v1/orders/${orderIds[Math.floor(Math.random() * orderIds.length)]}`,
        headers: { authorization: `Bearer ${token}` },
      }),
    };
    const result = await autocannon({
      url: service.baseUrl,
      connections: 50,
      duration: seconds,
      requests: [
        scenario === 'order'
          ? readOrder
          : scenario === 'products'
            ? { method: 'GET', path: '/api/v1/products?limit=20&category=Cat-3', headers: { authorization: `Bearer ${token}` } }
            : {
                method: 'POST',
                setupRequest: (req) => ({
                  ...req,
                  path: '/api/v1/orders',
                  headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
                  body: JSON.stringify({
                    items: [...new Set(Array.from({ length: 3 }, () => products[Math.floor(Math.random() * products.length)]))].map((productId) => ({
                      productId,
                      quantity: 1,
                    })),
                    shippingAddress: address,
                  }),
                }),
              },
      ],
    });
    console.log(`${scenario}: ${result.requests.average.toFixed(0)} req/s, p99 ${result.latency.p99} ms, non-2xx ${result.non2xx}`);
  } finally {
    await service.stop();
    await database.drop();
  }
  const file = readdirSync(profDir).find((f) => f.endsWith('.cpuprofile'));
  if (file) summarise(path.join(profDir, file));
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
