/**
 * `make bench-scale`: is every list as fast at a million rows as at a thousand, and does the write
 * path stay flat while the order tables grow?
 *
 * For a small and a large data set: create a scratch database, start the production build once on
 * it (migrations, the admin), load the data with `generate_series` (bench/scale/load.ts), start the
 * build again, run each request's statements as the repository does (its own SQL builders) and
 * EXPLAIN those that ran. Then, with both services up, send each request of
 * bench/scale/scenarios.ts sequentially, alternating small and large (5 warm-ups, then
 * BENCH_SCALE_SAMPLES each), stop, drop the databases, and print one table: p50 and p99 on both,
 * the ratio, the large plan's top scan node per statement run and a verdict.
 *
 * Env: DATABASE_URL (a server where databases may be created; else an embedded PostgreSQL),
 * BENCH_SCALE_MODE = read (default: 1,000 products / 2,000 orders against N / N, 2 lines per order,
 * N events) or write (the write path against N orders, N order lines, ~N stock movements, ~4.4 N
 * status history rows and their payments, shipments, returns and refunds; bench/scale/write-scenarios.ts
 * says how the fulfilment rows make their orders first, untimed), BENCH_SCALE_N (default 1,000,000 for read, 10,000,000 for write;
 * e.g. 100000 to try it), BENCH_SCALE_SAMPLES (default 25).
 */
import { Client } from 'pg';
import { createDatabaseOnServer, createTestDatabase, type TestDatabase } from '../test-kit/scratch-database';
import { customerEmail, loadDataSet, productId, type LoadSize } from './scale/load';
import { SCENARIOS, type Api, type Request, type Scenario, type ScenarioContext } from './scale/scenarios';
import { WRITE_SCENARIOS } from './scale/write-scenarios';
import { runProductList, type ListStatement } from '../src/products/product-list.sql';
import { BENCH_ADMIN, call, percentile, startBuiltService, type RunningService } from './service';

const MODE = process.env['BENCH_SCALE_MODE'] === 'write' ? 'write' : 'read';
const N = Number(process.env['BENCH_SCALE_N'] ?? (MODE === 'write' ? 10_000_000 : 1_000_000));
const SAMPLES = Number(process.env['BENCH_SCALE_SAMPLES'] ?? 25);
const WARM_UP = 5;
/** The issue's targets for lists, searches and filters at the large size. */
const MAX_LIST_P50_MS = 50;
const MAX_RATIO = 2;
/** Below this difference of p50s, the ratio of two sub-millisecond figures is noise, not growth. */
const NOISE_FLOOR_MS = 1;
/**
 * A request slower than this (a sequential scan of a million rows; the service cuts statements
 * at 15 s) is not sampled 25 times: after MAX_SLOW such answers the scenario stops with what it has.
 */
const SLOW_MS = 2_000;
const MAX_SLOW = 3;
const SERVICE_ENV = { ACCESS_TOKEN_TTL_SECONDS: '7200', RESERVATION_TTL_MINUTES: '10080', SWEEPER_INTERVAL_MS: '60000', AUTH_CACHE_TTL_MS: '60000' };

const SMALL: LoadSize = {
  products: 1_000,
  orders: 2_000,
  customers: 20,
  linesPerOrder: 2,
  movementsPerProduct: 1,
  events: 2_000,
  fulfilment: MODE === 'write',
};
const LARGE: LoadSize =
  MODE === 'read'
    ? { products: N, orders: N, customers: Math.max(20, Math.round(N / 1000)), linesPerOrder: 2, movementsPerProduct: 1, events: N }
    : {
        products: Math.max(1_000, Math.round(N / 10)),
        orders: N,
        customers: Math.max(20, Math.round(N / 1000)),
        linesPerOrder: 1,
        movementsPerProduct: 11,
        events: Math.min(N, 1_000_000),
        fulfilment: true,
      };
const scenarios = MODE === 'read' ? SCENARIOS : WRITE_SCENARIOS;

interface Measured {
  p50: number;
  p99: number;
  failures: string[];
  plan?: string;
}

const log = (line: string) => process.stderr.write(`${line}\n`);

/** The on-hand figure the loader gives product k (bench/scale/load.ts), to order only what is in stock. */
const stockOf = (k: number) => (k * 104729) % 1000;

async function scratchDatabase(label: string): Promise<TestDatabase> {
  const server = process.env['DATABASE_URL'];
  return server ? createDatabaseOnServer(server, `quickstock_scale_${label}_${Date.now()}`) : createTestDatabase();
}

/** One timed request; a failure is a status ≥ 300 or, for a 2xx, what the scenario's check finds wrong in the body. */
async function send(baseUrl: string, scenario: Scenario, request: Request): Promise<{ ms: number; status: number; failure?: string }> {
  const started = performance.now();
  const res = await fetch(`${baseUrl}${request.path}`, {
    method: request.method,
    headers: { 'content-type': 'application/json', authorization: `Bearer ${request.token}`, ...request.headers },
    body: request.body === undefined ? undefined : JSON.stringify(request.body),
  });
  const body = await res.arrayBuffer();
  const ms = performance.now() - started;
  if (res.status >= 300) return { ms, status: res.status, failure: String(res.status) };
  const wrong = scenario.check?.(JSON.parse(Buffer.from(body).toString('utf8')));
  return { ms, status: res.status, failure: wrong === undefined ? undefined : `${res.status} but ${wrong}` };
}

/** Untimed calls to a service that must succeed (the preconditions of the fulfilment rows). */
const apiOf =
  (baseUrl: string): Api =>
  async (method, path, token, body) => {
    const res = await call(baseUrl, method, path, token, body);
    if (res.status >= 300) throw new Error(`preparing: ${method} ${path} answered ${res.status} ${JSON.stringify(res.body).slice(0, 300)}`);
    return res.body;
  };

/** A scenario's requests n..n+count−1 on one service, what they act on made first (untimed). */
async function requestsFor(baseUrl: string, ctx: ScenarioContext, scenario: Scenario, n: number, count: number): Promise<Request[]> {
  const targets = scenario.prepare ? await scenario.prepare(apiOf(baseUrl), ctx, n, count) : [];
  return Array.from({ length: count }, (_, i) => scenario.request(ctx, n + i, targets[i]));
}

type PlanNode = Record<string, unknown>;
const childrenOf = (plan: PlanNode) => ((plan['Plans'] as PlanNode[] | undefined) ?? []).filter((p) => p['Parent Relationship'] !== 'SubPlan');
/** The indexes under a bitmap scan (its BitmapOr / BitmapAnd). */
const bitmapIndexes = (plan: PlanNode): string[] =>
  plan['Node Type'] === 'Bitmap Index Scan' ? [String(plan['Index Name'])] : childrenOf(plan).flatMap(bitmapIndexes);

/**
 * The top scan node of a plan (depth first), e.g. "Index Scan products_name_idx + filter"; a
 * subquery shows the scan inside it, a bitmap scan the indexes it combines ("a or b").
 */
function scanNode(plan: PlanNode): string | undefined {
  const type = String(plan['Node Type']);
  // "+ filter": the scan reads rows and discards those that do not match (a walk, not a seek).
  const filtered = plan['Filter'] !== undefined ? ' + filter' : '';
  if (type === 'Subquery Scan') {
    const inner = childrenOf(plan).map(scanNode).find(Boolean);
    return inner ? `${inner}${filtered}` : `${type}${filtered}`;
  }
  if (type === 'Bitmap Heap Scan') return `${type} ${bitmapIndexes(plan).join(' or ')}${filtered}`;
  if (/Scan/.test(type)) {
    const index = plan['Index Name'];
    return `${type}${index ? ` ${String(index)}` : plan['Relation Name'] ? ` on ${String(plan['Relation Name'])}` : ''}${filtered}`;
  }
  return childrenOf(plan).map(scanNode).find(Boolean);
}

async function explain(url: string, ctx: ScenarioContext, list: Scenario[]): Promise<Map<string, string>> {
  const db = new Client({ connectionString: url });
  await db.connect();
  const plans = new Map<string, string>();
  try {
    for (const scenario of list) {
      if (!scenario.plan) continue;
      // Run the statements as the repository does, then explain each that ran (in order).
      const ran: ListStatement[] = [];
      await runProductList(scenario.plan(ctx), 20, async (s) => {
        ran.push(s);
        return (await db.query(s.text, s.values)).rows;
      });
      const nodes: string[] = [];
      for (const s of ran) {
        const res = await db.query<{ 'QUERY PLAN': [{ Plan: PlanNode }] }>(`EXPLAIN (FORMAT JSON) ${s.text}`, s.values);
        nodes.push(`${s.provisional || s.windowed ? 'walk: ' : ''}${scanNode(res.rows[0]?.['QUERY PLAN'][0].Plan ?? {}) ?? '?'}`);
      }
      plans.set(scenario.label, nodes.join(' → '));
    }
  } finally {
    await db.end();
  }
  return plans;
}

interface Prepared {
  label: string;
  database: TestDatabase;
  service: RunningService;
  ctx: ScenarioContext;
  plans: Map<string, string>;
}

/** A scratch database loaded with `size`, the production build serving it, signed-in users and the plans. */
/** Databases (and their service) not yet handed to main, for the signal handler. */
const pending = new Set<{ database: TestDatabase; service?: RunningService }>();

async function prepare(label: string, size: LoadSize): Promise<Prepared> {
  const database = await scratchDatabase(label);
  const entry: { database: TestDatabase; service?: RunningService } = { database };
  pending.add(entry);
  try {
    log(`\n${label}: ${size.products} products, ${size.orders} orders × ${size.linesPerOrder} lines, ${size.events} events`);
    const first = await startBuiltService(database.url, SERVICE_ENV);
    await first.stop();
    const started = Date.now();
    await loadDataSet(database.superuserUrl, size, log);
    log(`  loaded in ${((Date.now() - started) / 60_000).toFixed(1)} min`);
    const service = await startBuiltService(database.url, SERVICE_ENV);
    entry.service = service;
    const staffToken = (await call(service.baseUrl, 'POST', '/api/v1/auth/login', undefined, BENCH_ADMIN)).body.accessToken as string;
    const customerToken = (await call(service.baseUrl, 'POST', '/api/v1/auth/login', undefined, { email: customerEmail(7), password: BENCH_ADMIN.password }))
      .body.accessToken as string;
    if (!staffToken || !customerToken) throw new Error('could not sign in the bench users');
    const ctx: ScenarioContext = {
      staffToken,
      customerToken,
      orders: size.orders,
      products: size.products,
      stockedProducts: Array.from({ length: Math.min(size.products, 5_000) }, (_, i) => i + 1).filter((k) => stockOf(k) >= 300),
    };
    let cursor: string | undefined;
    for (let page = 1; page <= 20; page += 1) {
      const res = await call(
        service.baseUrl,
        'GET',
        `/api/v1/products?sort=-createdAt&limit=20${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
        staffToken,
      );
      cursor = res.body.nextCursor ?? undefined;
    }
    ctx.page21Cursor = cursor;
    // The ledger page of the measured product shows a page of recent movements, as in use.
    for (let i = 0; i < 25; i += 1) {
      await call(service.baseUrl, 'POST', `/api/v1/products/${productId(Math.min(500, size.products))}/stock-movements`, staffToken, {
        type: 'receipt',
        delta: 1,
        reason: 'bench-scale',
      });
    }
    const plans = await explain(database.url, ctx, scenarios);
    // A fresh process compiles its code paths on first use: one pass over everything first.
    for (const scenario of scenarios) {
      const requests = await requestsFor(service.baseUrl, ctx, scenario, 1_000_000, WARM_UP);
      for (const request of requests) {
        const { ms, failure } = await send(service.baseUrl, scenario, request);
        if (failure && scenario.prepare) throw new Error(`${label} ${scenario.label} warm-up failed: ${failure}`);
        if (ms > SLOW_MS) break;
      }
    }
    return { label, database, service, ctx, plans };
  } catch (err) {
    await entry.service?.stop();
    await database.drop();
    throw err;
  } finally {
    pending.delete(entry);
  }
}

/**
 * Each scenario's requests alternate between the two services (small, large, small, …), so that
 * the load other processes put on a shared machine falls on both sides alike.
 */
async function measureSideBySide(sides: Prepared[]): Promise<Map<string, Measured>[]> {
  const results = sides.map(() => new Map<string, Measured>());
  let n = 0;
  for (const scenario of scenarios) {
    const times = sides.map(() => [] as number[]);
    // Warm-ups too: when a slow scenario stops early, its figures come from every answer it got.
    const all = sides.map(() => [] as number[]);
    const failures = sides.map(() => [] as string[]);
    // What each request acts on, made on both sides before the first is timed.
    const requests: Request[][] = [];
    for (const side of sides) requests.push(await requestsFor(side.service.baseUrl, side.ctx, scenario, n + 1, WARM_UP + SAMPLES));
    let slow = 0;
    for (let i = 0; i < WARM_UP + SAMPLES && slow < MAX_SLOW; i += 1) {
      n += 1;
      for (const [s, side] of sides.entries()) {
        const { ms, failure } = await send(side.service.baseUrl, scenario, requests[s]?.[i] as Request);
        if (failure) failures[s]?.push(failure);
        if (ms > SLOW_MS) slow += 1;
        all[s]?.push(ms);
        if (i >= WARM_UP) times[s]?.push(ms);
      }
    }
    for (const [s, side] of sides.entries()) {
      const sorted = (slow >= MAX_SLOW ? (all[s] ?? []) : (times[s] ?? [])).sort((a, b) => a - b);
      const fails = failures[s] ?? [];
      const measured = { p50: percentile(sorted, 50), p99: percentile(sorted, 99), failures: fails, plan: side.plans.get(scenario.label) };
      results[s]?.set(scenario.label, measured);
      log(
        `  ${side.label} ${scenario.label}: p50 ${measured.p50.toFixed(1)} ms, p99 ${measured.p99.toFixed(1)} ms${fails.length ? `, ${fails.length} failed (${[...new Set(fails)].join(', ')})` : ''}`,
      );
    }
  }
  return results;
}

function verdict(scenario: Scenario, small: Measured, large: Measured): string {
  const failures = [...new Set([...small.failures, ...large.failures])];
  if (failures.length) return `FAILED (${failures.join(', ')})`;
  const maxRatio = scenario.maxRatio ?? MAX_RATIO;
  const flat = large.p50 <= maxRatio * small.p50 || large.p50 - small.p50 < NOISE_FLOOR_MS;
  const fast = scenario.kind !== 'list' || large.p50 <= MAX_LIST_P50_MS;
  if (flat && fast) return scenario.maxRatio === undefined ? 'ok' : `ok (≤ ${maxRatio}×)`;
  return [!fast ? `p50 > ${MAX_LIST_P50_MS} ms` : '', !flat ? `> ${maxRatio}×` : ''].filter(Boolean).join(', ') + ' — MISSED';
}

async function main(): Promise<void> {
  const started = Date.now();
  const sides: Prepared[] = [];
  // Ctrl-C during the long load still stops the services and drops the scratch databases.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      log(`${signal}: cleaning up`);
      void Promise.allSettled(
        [...sides, ...pending].map(async (side) => {
          await side.service?.stop();
          await side.database.drop();
        }),
      ).then(() => process.exit(130));
    });
  }
  let small: Map<string, Measured>;
  let large: Map<string, Measured>;
  try {
    sides.push(await prepare('small', SMALL));
    sides.push(await prepare('large', LARGE));
    [small, large] = (await measureSideBySide(sides)) as [Map<string, Measured>, Map<string, Measured>];
  } finally {
    for (const side of sides) {
      await side.service.stop();
      await side.database.drop();
    }
  }
  const fmt = (v: number) => v.toFixed(1);
  const sizeLabel = (s: LoadSize) => `${s.products.toLocaleString('en')} p / ${s.orders.toLocaleString('en')} o`;
  console.log(
    `\nmake bench-scale (${MODE}): ${SAMPLES} sequential requests each, after ${WARM_UP} warm-ups; small = ${sizeLabel(SMALL)}, large = ${sizeLabel(LARGE)}`,
  );
  console.log(`| request | small p50 ms | small p99 ms | large p50 ms | large p99 ms | ratio | plan (large) | verdict |`);
  console.log(`|---|---|---|---|---|---|---|---|`);
  for (const scenario of scenarios) {
    const s = small.get(scenario.label);
    const l = large.get(scenario.label);
    if (!s || !l) continue;
    console.log(
      `| ${scenario.label} | ${fmt(s.p50)} | ${fmt(s.p99)} | ${fmt(l.p50)} | ${fmt(l.p99)} | ${(l.p50 / s.p50).toFixed(2)} | ${l.plan ?? '–'} | ${verdict(scenario, s, l)} |`,
    );
  }
  console.log(
    `\nTargets: lists, searches and filters p50 ≤ ${MAX_LIST_P50_MS} ms at the large size; every request p50 ≤ ${MAX_RATIO}× its small p50${MODE === 'write' ? ' (the partial shipment, the return and the refund ≤ 1.5×)' : ''} (a difference under ${NOISE_FLOOR_MS} ms counts as flat). Total ${((Date.now() - started) / 60_000).toFixed(1)} min.`,
  );
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
