/**
 * Times the service's own list and search SQL (the builders of product-list.sql.ts and
 * order-list.sql.ts, run the way the repositories run them) against a database that already holds
 * a large catalog, e.g. one seeded by test/support/large-catalog.ts:
 *
 *   npx tsx bench/search-plans.ts postgres://…/db [runs]
 *
 * Prints, per request, the median and the worst of `runs` timings (after one warm-up) and whether
 * any plan reads products or orders with a Seq Scan.
 */
import { Client } from 'pg';
import type { SqlStatement } from '../src/platform/db/sql';
import { productListSql, runProductList, type ListStatement, type ProductListParams } from '../src/products/product-list.sql';
import { orderListSql, type OrderListParams } from '../src/orders/order-list.sql';

type Case = [string, () => ListStatement[][]];

const products =
  (p: Omit<ProductListParams, 'limit'>): (() => ListStatement[][]) =>
  () =>
    productListSql({ limit: 20, ...p });
const orders =
  (p: Omit<OrderListParams, 'limit'>): (() => ListStatement[][]) =>
  () => [[orderListSql({ limit: 20, ...p })]];
const byName = { by: 'sort', key: 'name', descending: false } as const;
const relevance = { by: 'relevance' } as const;

const CASES: Case[] = [
  ['GET /products (customer)', products({ active: true, order: byName })],
  ['GET /products?q=toner', products({ active: true, q: 'toner', order: relevance })],
  ['GET /products?q=penne', products({ active: true, q: 'penne', order: relevance })],
  ['GET /products?q=caffe', products({ active: true, q: 'caffe', order: relevance })],
  ['GET /products?q=modello 999', products({ active: true, q: 'modello 999', order: relevance })],
  // A word in every name with a rare token (issue 31): a number, a number that starts many numbers, a rare or absent word.
  ['GET /products?q=modello 99', products({ active: true, q: 'modello 99', order: relevance })],
  ['GET /products?q=modello 123456', products({ active: true, q: 'modello 123456', order: relevance })],
  ['GET /products?q=toner 85', products({ active: true, q: 'toner 85', order: relevance })],
  ['GET /products?q=toner blu modello 777', products({ active: true, q: 'toner blu modello 777', order: relevance })],
  ['GET /products?q=modello zanzibar', products({ active: true, q: 'modello zanzibar', order: relevance })],
  ['GET /products?q=toner blu modello zanzibar', products({ active: true, q: 'toner blu modello zanzibar', order: relevance })],
  // Every word common: together often, and seldom together.
  ['GET /products?q=toner blu', products({ active: true, q: 'toner blu', order: relevance })],
  ['GET /products?q=modello toner', products({ active: true, q: 'modello toner', order: relevance })],
  ['GET /products?q=toner penna', products({ active: true, q: 'toner penna', order: relevance })],
  ['GET /products?q=SKU-00000500', products({ active: true, q: 'SKU-00000500', order: relevance })],
  ['GET /products?q=00042', products({ active: true, q: '00042', order: relevance })],
  ['GET /products?q=quad', products({ active: true, q: 'quad', order: relevance })],
  ['GET /products?q=toner&sort=sku', products({ active: true, q: 'toner', order: { by: 'sort', key: 'sku', descending: false } })],
  ['GET /products?lowStock=true', products({ active: true, lowStock: true, order: byName })],
  ['GET /products?lowStock=true&sort=-createdAt', products({ active: true, lowStock: true, order: { by: 'sort', key: 'createdAt', descending: true } })],
  ['GET /products?category=cat-7', products({ active: true, category: 'cat-7', order: byName })],
  ['GET /products?category=cat-7&sort=-sku', products({ active: true, category: 'cat-7', order: { by: 'sort', key: 'sku', descending: true } })],
  ['GET /products?q=caffe&sort=sku', products({ active: true, q: 'caffe', order: { by: 'sort', key: 'sku', descending: false } })],
  ['GET /products?q=toner&category=cat-7', products({ active: true, q: 'toner', category: 'cat-7', order: relevance })],
  ['GET /products?category=cat-7&sort=available', products({ active: true, category: 'cat-7', order: { by: 'sort', key: 'available', descending: false } })],
  ['GET /products?active=false (staff)', products({ active: false, order: byName })],
  ['GET /orders (staff)', orders({})],
  ['GET /orders?status=pending_payment', orders({ status: ['pending_payment'] })],
  ['GET /orders?status=paid&status=in_preparation&status=shipped', orders({ status: ['paid', 'in_preparation', 'shipped'] })],
  ['GET /orders?q=QS-2026-000050 (prefix)', orders({ q: 'QS-2026-000050' })],
  ['GET /orders?q=QS-2026-0000500 (full)', orders({ q: 'QS-2026-0000500' })],
];

/** Runs a page as the repositories do; answers the time taken and the statements that ran. */
async function runOnce(db: Client, groups: ListStatement[][]): Promise<{ ms: number; ran: SqlStatement[] }> {
  const ran: SqlStatement[] = [];
  const start = process.hrtime.bigint();
  await runProductList(groups, 20, async (s) => {
    ran.push(s);
    return (await db.query(s.text, s.values)).rows;
  });
  return { ms: Number(process.hrtime.bigint() - start) / 1e6, ran };
}

async function seqScans(db: Client, statements: SqlStatement[]): Promise<boolean> {
  for (const s of statements) {
    const { rows } = await db.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${s.text}`, s.values);
    if (rows.some((r) => /Seq Scan on (products|orders)\b/.test(r['QUERY PLAN']))) return true;
  }
  return false;
}

async function main(): Promise<void> {
  const url = process.argv[2] ?? process.env['DATABASE_URL'];
  const runs = Number(process.argv[3] ?? 7);
  if (!url) throw new Error('usage: npx tsx bench/search-plans.ts postgres://…/db [runs]');
  const db = new Client({ connectionString: url });
  await db.connect();
  db.on('notice', () => undefined);
  const counts = await db.query<{ p: string; o: string }>('SELECT (SELECT count(*) FROM products) AS p, (SELECT count(*) FROM orders) AS o');
  process.stdout.write(`products ${counts.rows[0]?.p}, orders ${counts.rows[0]?.o}; ${runs} runs each after a warm-up\n\n`);
  process.stdout.write('| request | p50 ms | max ms | statements | seq scan |\n|---|---|---|---|---|\n');
  const only = process.env['SEARCH_PLANS_ONLY'];
  for (const [label, build] of CASES.filter(([label]) => !only || label.includes(only))) {
    const groups = build();
    const { ran } = await runOnce(db, groups);
    const times: number[] = [];
    for (let i = 0; i < runs; i += 1) times.push((await runOnce(db, groups)).ms);
    times.sort((a, b) => a - b);
    const p50 = times[Math.floor(times.length / 2)] ?? 0;
    const max = times[times.length - 1] ?? 0;
    process.stdout.write(`| ${label} | ${p50.toFixed(1)} | ${max.toFixed(1)} | ${ran.length} | ${(await seqScans(db, ran)) ? 'yes' : 'no'} |\n`);
  }
  await db.end();
}

main().catch((err: unknown) => {
  process.stderr.write(`${String(err)}\n`);
  process.exit(1);
});
