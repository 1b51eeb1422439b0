import { expect } from 'chai';
import { Client } from 'pg';
import type { SqlStatement } from '../../../src/platform/db/sql';
import {
  JOINED_CAP,
  productListSql,
  runProductList,
  type ListStatement,
  type ProductListParams,
  type ProductSortKey,
} from '../../../src/products/product-list.sql';
import { orderListSql, type OrderListParams } from '../../../src/orders/order-list.sql';
import { claimDueSql } from '../../../src/outgoing-webhooks/delivery.repository';
import type { TestDatabase } from '../../../test-kit/scratch-database';
import { migratedScratchDatabase } from '../../support/database';
import { seedLargeCatalog } from '../../support/large-catalog';

const BIG_TABLES = new Set(['products', 'product_search_words', 'orders', 'webhook_deliveries']);
const SIZE = { products: 100_000, orders: 100_000 };

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  Plans?: PlanNode[];
}

function seqScans(node: PlanNode): string[] {
  const own = node['Node Type'] === 'Seq Scan' && BIG_TABLES.has(node['Relation Name'] ?? '') ? [node['Relation Name'] as string] : [];
  return [...own, ...(node.Plans ?? []).flatMap(seqScans)];
}

/**
 * The statements behind every list endpoint, built by the service's own builders, EXPLAINed on
 * 100,000 products and 100,000 orders: none may read a whole table (a Seq Scan), whatever the
 * filter, sort or search. Sorting products by `available` is left out on purpose (see openapi).
 */
describe('query plans of the list endpoints at 100,000 rows', function () {
  this.timeout(180_000);
  let database: TestDatabase;
  let db: Client;
  const timings: string[] = [];

  before(async () => {
    ({ database, db } = await migratedScratchDatabase());
    await seedLargeCatalog(db, SIZE);
  });

  after(async () => {
    if (process.env['SHOW_PLAN_TIMINGS']) process.stdout.write(`${timings.join('\n')}\n`);
    await db?.end();
    await database?.drop();
  });

  /** EXPLAIN ANALYZEs one statement (no Seq Scan on a big table allowed), then runs it for its rows. */
  async function planned(label: string, s: SqlStatement): Promise<unknown[]> {
    const { rows } = await db.query<{ 'QUERY PLAN': [{ Plan: PlanNode; 'Execution Time': number }] }>(`EXPLAIN (ANALYZE, FORMAT JSON) ${s.text}`, s.values);
    const [{ Plan, 'Execution Time': ms }] = rows[0]!['QUERY PLAN'];
    timings.push(`${ms.toFixed(1).padStart(8)} ms  ${label}`);
    expect(seqScans(Plan), `${label}: ${s.text}`).to.deep.equal([]);
    return (await db.query(s.text, s.values)).rows;
  }

  /** Every statement a products page runs, run as the repository runs them (runProductList). */
  async function products(label: string, p: Partial<ProductListParams> & Pick<ProductListParams, 'order'>): Promise<ListStatement[]> {
    const params = { limit: 20, ...p };
    const ran: ListStatement[] = [];
    await runProductList(productListSql(params), params.limit, (s) => planned(`${label} [${ran.push(s)}${s.provisional || s.windowed ? ', walk' : ''}]`, s));
    expect(ran.length, label).to.be.greaterThan(0);
    return ran;
  }

  const sorts: ProductSortKey[] = ['name', 'sku', 'createdAt'];
  const cursorOf: Record<ProductSortKey, unknown> = {
    name: 'articolo 5',
    sku: 'sku-00050000',
    createdAt: new Date(Date.now() - 50_000_000).toISOString(),
    available: 10,
  };
  const filters: [string, Partial<ProductListParams>][] = [
    ['customer (active)', { active: true }],
    ['staff (no filter)', {}],
    ['category', { active: true, category: 'CAT-7' }],
    ['staff category', { category: 'cat-7' }],
    ['low stock', { active: true, lowStock: true }],
    ['staff low stock', { lowStock: true }],
    ['not low stock', { active: true, lowStock: false }],
    ['archived', { active: false }],
    ['category + low stock', { active: true, category: 'cat-0', lowStock: true }],
    ['incoming', { active: true, incoming: true }],
    ['staff incoming', { incoming: true }],
    ['barcode', { active: true, barcode: '2000000000015' }],
    ['staff barcode (UPC-A)', { barcode: '200000000001' }],
  ];

  it('serves every product filter with every sort key, both directions, first and later pages', async () => {
    for (const [name, filter] of filters) {
      for (const key of sorts) {
        for (const descending of [false, true]) {
          await products(`products ${name} sort=${descending ? '-' : ''}${key}`, { ...filter, order: { by: 'sort', key, descending } });
          const after = [cursorOf[key], '00000000-0000-0000-0000-000000000000'] as const;
          await products(`products ${name} sort=${descending ? '-' : ''}${key} (cursor)`, { ...filter, order: { by: 'sort', key, descending, after } });
        }
      }
    }
  });

  it('serves sort=available once a filter narrows the rows', async () => {
    await products('products low stock sort=available', { active: true, lowStock: true, order: { by: 'sort', key: 'available', descending: false } });
    await products('products category sort=-available', { active: true, category: 'cat-3', order: { by: 'sort', key: 'available', descending: true } });
  });

  it('serves the ranked search through its indexes: words (product_search_words), fragments, exact SKU, short text, later pages', async () => {
    for (const q of ['toner', 'penne', 'quaderni', 'caffe', 'SKU-00000500', 'sku-0000050', '00042', 'quad', 'A4', 'Articolo 77 toner', 'toner penna', 'di']) {
      await products(`products q=${q} (relevance)`, { active: true, q, order: { by: 'relevance' } });
      await products(`products q=${q} category (relevance)`, { active: true, category: 'cat-4', q, order: { by: 'relevance' } });
      await products(`products q=${q} sort=sku`, { active: true, q, order: { by: 'sort', key: 'sku', descending: false } });
    }
    // Words, or a word and filters, that seldom meet: the walks use up their windows (in these names
    // "toner" and "penna" alternate in name order: the leapfrog steps one product at a time), the GIN statement answers.
    for (const [label, p] of [
      ['toner penna', { q: 'toner penna' }],
      ['toner lowStock category', { q: 'toner', lowStock: true, category: 'cat-4' }],
    ] as const) {
      const ran = await products(`products q=${label} (relevance, past the window)`, { active: true, ...p, order: { by: 'relevance' } });
      const walked = ran.map((s) => (s.windowed ?? false) && s.text.includes('1 AS tier')).lastIndexOf(true);
      expect(ran[walked + 1]?.text, label).to.match(/^SELECT \*, 1 AS tier FROM products WHERE/);
    }
  });

  interface Scan {
    type: string;
    relation?: string;
    index?: string;
    rows: number;
    fetches?: number;
  }

  /** Every scan of a statement's plan (EXPLAIN ANALYZE): its node type, table, index, rows returned and heap fetches. */
  async function scansOf(s: ListStatement): Promise<Scan[]> {
    const { rows } = await db.query<{ 'QUERY PLAN': [{ Plan: PlanNode }] }>(`EXPLAIN (ANALYZE, FORMAT JSON) ${s.text}`, s.values);
    const scans: Scan[] = [];
    const visit = (node: PlanNode & { 'Index Name'?: string; 'Actual Rows'?: number; 'Actual Loops'?: number; 'Heap Fetches'?: number }): void => {
      if (/Scan/.test(node['Node Type']))
        scans.push({
          type: node['Node Type'],
          relation: node['Relation Name'],
          index: node['Index Name'],
          rows: (node['Actual Rows'] ?? 0) * (node['Actual Loops'] ?? 1),
          fetches: node['Heap Fetches'],
        });
      (node.Plans ?? []).forEach(visit);
    };
    visit(rows[0]!['QUERY PLAN'][0].Plan);
    return scans;
  }

  /** The rows each scan of a big table returned, by table: what a statement read. */
  async function rowsRead(s: ListStatement): Promise<Record<string, number>> {
    const read: Record<string, number> = {};
    for (const scan of await scansOf(s)) if (scan.relation && BIG_TABLES.has(scan.relation)) read[scan.relation] = (read[scan.relation] ?? 0) + scan.rows;
    return read;
  }

  it('answers a word in every name with a rare number, and common words together, from the rare side', async () => {
    // "articolo" is in each of the 100,000 names. A name fragment with spaces: the joined trigram
    // index (spaces as letters: "oq9" spans "articolo 9"), capped at JOINED_CAP candidates; past it, a
    // number's prefix range of product_search_words (1,111 numbers start with 99) and a page of products.
    for (const [q, via, candidates] of [
      ['articolo 99', 'number', 1_111],
      ['articolo 12345', 'joined', 1],
      ['articolo 777 toner', 'joined', 185],
      ['toner 1', 'joined', 0],
      ['penna articolo 5', 'joined', 0],
    ] as const) {
      const ran = await products(`products q=${q} (relevance)`, { active: true, q, order: { by: 'relevance' } });
      const tier2 = ran.filter((s) => s.text.includes('2 AS tier') || s.text.includes(' 2, true'));
      const capped = tier2[0]!;
      expect(capped.text, q).to.match(/^WITH c AS MATERIALIZED \(SELECT \* FROM products WHERE replace\(quickstock_unaccent\(name\), ' ', 'q'\) ILIKE/);
      const cappedRead = await rowsRead(capped);
      expect(cappedRead['products'] ?? 0, q).to.be.at.most(Math.min(candidates, JOINED_CAP) + 1);
      if (via === 'joined') {
        expect(tier2, `${q}: the capped joined statement answers`).to.have.length(1);
        continue;
      }
      expect(tier2, `${q}: the number answers after the cap`).to.have.length(2);
      const anchored = tier2[1]!;
      expect(anchored.text, q).to.include('w.lexeme >= ');
      const read = await rowsRead(anchored);
      expect(read['product_search_words'] ?? 0, q).to.be.at.most(candidates + 60);
      expect(read['products'] ?? 0, q).to.be.at.most(25);
    }
    // A fragment that 3,333 names hold ("…2 penna"), with no number to anchor it: past the cap, the
    // walk in name order answers, on products_name_idx alone (it includes name and active), reading a
    // page of products from the table.
    {
      const q = '2 penna';
      const ran = await products(`products q=${q} (relevance)`, { active: true, q, order: { by: 'relevance' } });
      const walk = ran.find((s) => s.provisional && s.text.includes('AS pid'));
      expect(walk, ran.map((s) => s.text.slice(0, 60)).join(' / ')).to.not.equal(undefined);
      expect(ran[ran.length - 1], `${q}: the walk answers`).to.equal(walk);
      const scans = await scansOf(walk!);
      const walked = scans.find((scan) => scan.index === 'products_name_idx');
      expect(walked?.type, q).to.equal('Index Only Scan');
      expect(walked!.fetches ?? 0, q).to.be.at.most(10);
      const fromTable = scans.filter((scan) => scan.relation === 'products' && scan.index !== 'products_name_idx');
      expect(
        fromTable.reduce((sum, scan) => sum + scan.rows, 0),
        q,
      ).to.be.at.most(25);
    }
    // Common words together (on every row of one), or never (beside a rare one): the leapfrog of
    // their ranges answers after a few steps (no GIN statement), reading a page of products.
    for (const q of ['articolo toner', 'toner articolo 12', 'penna articolo 5']) {
      const ran = await products(`products q=${q} (relevance)`, { active: true, q, order: { by: 'relevance' } });
      expect(
        ran.filter((s) => /^SELECT \*, 1 AS tier FROM products WHERE/.test(s.text)),
        `${q}: no GIN statement`,
      ).to.deep.equal([]);
      const leapfrog = ran.find((s) => s.text.startsWith('WITH RECURSIVE'))!;
      const read = await rowsRead(leapfrog);
      expect(read['product_search_words'] ?? 0, q).to.be.at.most(200);
      expect(read['products'] ?? 0, q).to.be.at.most(100);
    }
    await products('products q=toner (relevance, page in tier 1)', {
      active: true,
      q: 'toner',
      order: { by: 'relevance', after: [1, 'articolo 50', '00000000-0000-0000-0000-000000000000'] },
    });
    await products('products q=toner category (relevance, page in tier 1)', {
      active: true,
      category: 'cat-4',
      q: 'toner',
      order: { by: 'relevance', after: [1, 'articolo 50', '00000000-0000-0000-0000-000000000000'] },
    });
    await products('products q=quad (relevance, page in tier 2)', {
      active: true,
      q: 'quad',
      order: { by: 'relevance', after: [2, 'articolo 50', '00000000-0000-0000-0000-000000000000'] },
    });
    await products('products q=articolo 99 (relevance, page in tier 2, through the number)', {
      active: true,
      q: 'articolo 99',
      order: { by: 'relevance', after: [2, 'articolo 99500 risma', '00000000-0000-0000-0000-000000000000'] },
    });
    await products('products q=articolo toner (relevance, page in tier 1, leapfrog)', {
      active: true,
      q: 'articolo toner',
      order: { by: 'relevance', after: [1, 'articolo 50', '00000000-0000-0000-0000-000000000000'] },
    });
    await products('products q=sku-0000050 (relevance, page in tier 3)', {
      active: true,
      q: 'sku-0000050',
      order: { by: 'relevance', after: [3, 'articolo 50', '00000000-0000-0000-0000-000000000000'] },
    });
  });

  it('serves every order filter in (created_at, id) order', async () => {
    const [someone] = (await db.query<{ id: string }>("SELECT id FROM users WHERE role = 'customer' LIMIT 1")).rows;
    const customers = (await db.query<{ id: string }>("SELECT id FROM users WHERE name ILIKE '%liente 12%'")).rows.map((r) => r.id);
    const after = [new Date(Date.now() - 50_000_000).toISOString(), '00000000-0000-0000-0000-000000000000'] as const;
    const cases: [string, Omit<OrderListParams, 'limit'>][] = [
      ['all', {}],
      ['one status (rare)', { status: ['pending_payment'] }],
      ['one status (common)', { status: ['delivered'] }],
      ['several statuses (the board)', { status: ['pending_payment', 'paid', 'in_preparation', 'shipped'] }],
      ['customer', { customerId: someone!.id }],
      ['customer + status', { customerId: someone!.id, status: ['delivered', 'cancelled'] }],
      ['created range', { createdFrom: new Date(Date.now() - 3_600_000).toISOString(), createdTo: new Date().toISOString() }],
      ['q number prefix', { q: 'qs-2026-00012' }],
      ['q full number', { q: 'QS-2026-0012345' }],
      ['q broad prefix', { q: 'QS-2026' }],
      ['staff q (number or customer)', { q: 'liente 12', qCustomerIds: customers }],
      ['q + status', { q: 'QS-2026-0099', status: ['delivered', 'shipped'] }],
    ];
    for (const [name, filter] of cases) {
      await planned(`orders ${name}`, orderListSql({ limit: 20, ...filter }));
      await planned(`orders ${name} (cursor)`, orderListSql({ limit: 20, ...filter, after }));
    }
  });

  it("claims due webhook deliveries through each subscription's pending index, whatever the backlog", async () => {
    // Three subscriptions (one disabled) and 100,000 deliveries: most succeeded, a backlog due on
    // two, some waiting for a later retry, a few claimed by another worker.
    const inserted = (
      await db.query<{ id: string; enabled: boolean }>(
        `INSERT INTO webhook_subscriptions (url, event_types, enabled, secret_ciphertext)
         SELECT 'https://erp.example/hooks/' || g, '["order.created"]', g <> 3, 'v1.x' FROM generate_series(1, 3) g RETURNING id, enabled`,
      )
    ).rows;
    const subs = inserted.map((r) => r.id);
    const enabled = inserted.filter((r) => r.enabled).map((r) => r.id);
    await db.query(
      `INSERT INTO webhook_deliveries (subscription_id, message_id, event_type, body, status, next_attempt_at, claimed_until, created_at)
       SELECT ($1::uuid[])[1 + g % 3], 'msg_plan_' || g, 'order.created', '{}',
              CASE WHEN g % 10 < 7 THEN 'succeeded' ELSE 'pending' END,
              CASE WHEN g % 10 < 7 THEN NULL WHEN g % 10 = 7 THEN now() + interval '1 hour' ELSE now() - (g || ' seconds')::interval END,
              CASE WHEN g % 25000 = 9 THEN now() + interval '1 minute' END,
              now() - (g || ' seconds')::interval
         FROM generate_series(1, 100000) g`,
      [subs],
    );
    await db.query('ANALYZE webhook_deliveries, webhook_subscriptions');
    const claim = claimDueSql(32, 4, 60_000, []);
    await db.query('BEGIN');
    try {
      const { rows } = await db.query<{ 'QUERY PLAN': [{ Plan: PlanNode; 'Execution Time': number }] }>(
        `EXPLAIN (ANALYZE, FORMAT JSON) ${claim.text}`,
        claim.values,
      );
      const [{ Plan, 'Execution Time': ms }] = rows[0]!['QUERY PLAN'];
      timings.push(`${ms.toFixed(1).padStart(8)} ms  webhook claim`);
      expect(seqScans(Plan), claim.text).to.deep.equal([]);
    } finally {
      await db.query('ROLLBACK');
    }
    const claimed = (await db.query<{ subscription_id: string }>(claim.text, claim.values)).rows;
    // Four each for the two enabled subscriptions (their bound, less the claims already held), none for the disabled one.
    const held = (
      await db.query<{ subscription_id: string; n: number }>(
        'SELECT subscription_id, count(*)::int AS n FROM webhook_deliveries WHERE claimed_until > now() GROUP BY 1',
      )
    ).rows;
    expect(claimed.every((c) => enabled.includes(c.subscription_id))).to.equal(true);
    for (const id of enabled) expect(held.find((h) => h.subscription_id === id)?.n, id).to.equal(4);
    expect(claimed.length).to.be.greaterThan(0);
  });
});
