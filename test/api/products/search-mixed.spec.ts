import { expect } from 'chai';
import { Client } from 'pg';
import { joinedWindows, productListSql, runProductList, type ProductListParams, type RelevanceTier } from '../../../src/products/product-list.sql';
import type { TestDatabase } from '../../../test-kit/scratch-database';
import { migratedScratchDatabase } from '../../support/database';

const PAGE = 7;

interface Row {
  id: string;
  name: string;
  tier: RelevanceTier;
}

/**
 * A common word with a rare token, and common words together (issue 31): the ranked search answers
 * from the rare side (for a name fragment with spaces the joined trigram index, capped, then a
 * number's prefix range of product_search_words or a walk; a leapfrog of the words' ranges for
 * several words), and must give exactly what the tiers mean. Each
 * query is paged through (7 a page, keyset cursors) and compared with a naive evaluation of the four
 * tiers over every row, on a catalog where one word is in every name and names that the parser
 * reads oddly (markup, decimals, hyphens, accents, non-Latin letters) hold the same numbers.
 */
describe('Product search: a common word with a rare token, the same rows as a naive evaluation', function () {
  this.timeout(120_000);
  let database: TestDatabase;
  let db: Client;

  before(async () => {
    ({ database, db } = await migratedScratchDatabase());
    await db.query(
      `INSERT INTO products (sku, name, category, unit_price_cents, on_hand, active)
       SELECT 'SKU-' || lpad(g::text, 6, '0'),
              (ARRAY['Toner', 'Penna', 'Quaderno', 'Caffè', 'Toner nero'])[1 + g % 5] || ' ' ||
              (ARRAY['blu', 'nero', 'rosso', 'verde'])[1 + (g / 5) % 4] || ' modello ' || g,
              'cat-' || (g % 3), 100, 10, g % 17 <> 0
         FROM generate_series(1, 1500) g`,
    );
    const odd = [
      'Cavo <a 99> modello',
      'Cavo <!-- modello 99 --> blu',
      'Toner modello 99,5 blu',
      'Toner modello 99.5.1',
      'Toner modello 99-b',
      'Toner modello 99/c',
      'Toner modello 99x nero',
      'Toner modello 99½',
      'Tóner modèllo 99 blu',
      'TONER MODELLO 990',
      'Тонер modello 99 синий',
      'Toner 85A compatibile',
      'Toner 85 nero',
      'Toner modello 12345 blu',
      'xmodello 999 rosso',
      'Penna toner blu',
      'Toner blu penna',
      'modello 99 modello 995',
    ];
    for (const [i, name] of odd.entries()) {
      await db.query(`INSERT INTO products (sku, name, category, unit_price_cents, on_hand) VALUES ($1, $2, 'cat-0', 100, 10)`, [`ODD-${i}`, name]);
    }
    await db.query('VACUUM ANALYZE products');
    await db.query('VACUUM ANALYZE product_search_words');
  });

  after(async () => {
    await db?.end();
    await database?.drop();
  });

  /** The four tiers over every row, as docs/search.md states them. */
  async function naive(q: string, filter: Partial<ProductListParams>): Promise<Row[]> {
    const where = [filter.active === undefined ? 'true' : filter.active ? 'active' : 'NOT active', filter.category ? `lower(category) = lower($2)` : 'true'];
    const { rows } = await db.query<Row>(
      `SELECT id, name, tier FROM (
         SELECT id, name, CASE
           WHEN lower(sku) = lower($1) THEN 0
           WHEN to_tsvector('italian', quickstock_unaccent(name)) @@ plainto_tsquery('italian', quickstock_unaccent($1)) THEN 1
           WHEN length($1) >= 3 AND quickstock_unaccent(name) ILIKE '%' || regexp_replace(quickstock_unaccent($1), '([\\\\%_])', '\\\\\\1', 'g') || '%' THEN 2
           WHEN length($1) >= 3 AND sku ILIKE '%' || regexp_replace($1, '([\\\\%_])', '\\\\\\1', 'g') || '%' THEN 3 END AS tier
         FROM products WHERE ${where.join(' AND ')}) t
       WHERE tier IS NOT NULL ORDER BY tier, lower(name), id`,
      filter.category ? [q, filter.category] : [q],
    );
    return rows;
  }

  /** Every page of the ranked search, PAGE a page, as the repository runs it. */
  async function paged(q: string, filter: Partial<ProductListParams>): Promise<Row[]> {
    const all: Row[] = [];
    let after: [RelevanceTier, string, string] | undefined;
    for (let page = 0; page < 200; page += 1) {
      const rows = await runProductList(
        productListSql({ limit: PAGE, q, ...filter, order: { by: 'relevance', after } }),
        PAGE,
        async (s) => (await db.query<Row>(s.text, s.values)).rows,
      );
      all.push(...rows.slice(0, PAGE).map((r) => ({ id: r.id, name: r.name, tier: Number(r.tier) as RelevanceTier })));
      if (rows.length <= PAGE) return all;
      const last = rows[PAGE - 1]!;
      after = [Number(last.tier) as RelevanceTier, last.name.toLowerCase(), last.id];
    }
    throw new Error(`${q}: more than 200 pages`);
  }

  const queries = [
    'modello 99',
    'modello 999',
    'MODELLO 99',
    'modello 990',
    'toner 85',
    'toner modello 99',
    'nero modello 1234',
    'modello 12345 blu',
    'odello 99',
    'toner blu',
    'modello toner',
    'toner penna',
    'penna toner',
    'blu modello',
    'toner blu modello 7',
    'modello zanzibar',
    'toner nero modello',
    'nero blu',
    'r 85',
    'toner ',
    'odello 9',
    'modello 99 ',
    'ner modello 9',
    'tóner modello 99',
    'caffe nero',
    'oner 85a',
    'modellò 99',
    'modello  99',
  ];

  it('gives every query the naive tiers, in order, across pages (customer, staff, a category)', async () => {
    for (const q of queries) {
      for (const filter of [{ active: true }, {}, { active: true, category: 'CAT-1' }] as Partial<ProductListParams>[]) {
        const want = await naive(q, filter);
        const got = await paged(q, filter);
        expect(
          got.map((r) => `${r.tier} ${r.name}`),
          `${q} ${JSON.stringify(filter)}`,
        ).to.deep.equal(want.map((r) => `${r.tier} ${r.name}`));
        expect(got.map((r) => r.id)).to.deep.equal(want.map((r) => r.id));
      }
    }
  });

  it('gives tier 2 the same rows through each of its statements: the joined index capped and not, the number, the walk', async () => {
    const tier2 = (q: string, filter: Partial<ProductListParams>, name: string, id: string) =>
      productListSql({ limit: PAGE, q, ...filter, order: { by: 'relevance', after: [2, name, id] } })[0] ?? [];
    let answered = 0;
    for (const q of queries.filter((q) => q.length >= 3 && joinedWindows(q))) {
      for (const filter of [{ active: true }, {}, { active: true, category: 'CAT-1' }] as Partial<ProductListParams>[]) {
        const want = (await naive(q, filter)).filter((r) => r.tier === 2);
        let cursor: [string, string] = ['', '00000000-0000-0000-0000-000000000000'];
        for (let start = 0; start <= want.length; start += PAGE) {
          for (const [i, statement] of tier2(q, filter, ...cursor).entries()) {
            const rows = (await db.query<Row & { window_used_up?: boolean }>(statement.text, statement.values)).rows;
            if (statement.provisional && rows.length <= PAGE) continue;
            if (statement.windowed && rows.some((r) => r.window_used_up)) continue;
            answered += 1;
            expect(
              rows.map((r) => `${r.tier} ${r.name}`),
              `${q} ${JSON.stringify(filter)} statement ${i} from ${start}`,
            ).to.deep.equal(want.slice(start, start + PAGE + 1).map((r) => `${r.tier} ${r.name}`));
          }
          const last = want[start + PAGE - 1];
          if (!last) break;
          cursor = [last.name.toLowerCase(), last.id];
        }
      }
    }
    expect(answered).to.be.greaterThan(100);
  });

  it('asks the joined trigram index for the spaces of a fragment between two letters or digits', () => {
    expect(joinedWindows('modello 99')).to.deep.equal(['oq99']);
    expect(joinedWindows('Toner 85A')).to.deep.equal(['rq85a']);
    expect(joinedWindows('toner blu modello 7777')).to.deep.equal(['rqb', 'uqm', 'oq777']);
    expect(joinedWindows('carta a4 80g')).to.deep.equal(['aqa', '4q80g']);
    // A space next to anything but an ASCII letter or digit makes no window (it may not be a trigram character).
    expect(joinedWindows('toner ')).to.equal(undefined);
    expect(joinedWindows(' toner')).to.equal(undefined);
    expect(joinedWindows('modello -99')).to.equal(undefined);
    expect(joinedWindows('caffè 85')).to.equal(undefined);
    expect(joinedWindows('toner  85')).to.equal(undefined);
    expect(joinedWindows('penna 0.7')).to.deep.equal(['aq0']);
    expect(joinedWindows('toner')).to.equal(undefined);
  });
});
