import { likePattern } from '../platform/db/like';
import { exactSku, isWordMatch, nameWords, Params, unaccentedPattern, type Condition, type ListStatement } from './product-search-terms.sql';
import {
  ANCHOR_SMALL_CAP,
  anchoredFragments,
  fragmentWalk,
  JOINED_CAP,
  JOINED_WALK,
  joinedFragments,
  joinedWindows,
  numberAnchor,
  wordSearch,
  wordsTogether,
} from './product-search.sql';

export { NAME_WORDS, type ListStatement } from './product-search-terms.sql';
export { ANCHOR_CAP, ANCHOR_SMALL_CAP, JOINED_CAP, JOINED_WALK, joinedWindows, LEAPFROG_STEPS, numberAnchor, WORD_WINDOW } from './product-search.sql';

/**
 * The SQL behind `GET /products`, as pure functions (parameters → statements), so the query-plan
 * test and the scale bench run exactly the service's SQL. Every filter × sort key has an index in
 * the order of its sort (migration 0008): the plain sort indexes, `(lower(category), key, id)`, and
 * the partial ones `WHERE low_stock` / `WHERE NOT active`. `available` is the exception (no index:
 * it would make every reservation a non-HOT update); it sorts the filtered rows.
 */

export type ProductSortKey = 'name' | 'sku' | 'createdAt' | 'available';

/** Each sort key's expression and the type its cursor value casts to. */
export const PRODUCT_SORT_KEYS: Record<ProductSortKey, { expr: string; cast: string }> = {
  name: { expr: 'lower(name)', cast: 'text' },
  sku: { expr: 'lower(sku)', cast: 'text' },
  createdAt: { expr: 'created_at', cast: 'timestamptz' },
  available: { expr: '(on_hand - reserved)', cast: 'int' },
};

/** Fragments (SKU or name, accents ignored) need 3 characters: the trigram index serves nothing shorter. */
export const MIN_FRAGMENT_LENGTH = 3;

/**
 * Relevance tiers when `q` is given without `sort`: 0 the exact SKU; 1 the words of the name (every
 * word of `q`, Italian stemming, no accents); 2 from 3 characters, a fragment of the name that is
 * not its words; 3 a fragment of the SKU. Within a tier, by name then id. Each tier is its own
 * index-served statement, run in turn until the page is full, so a common word never makes the
 * database rank every match: tier 1 walks product_search_words (migration 0012) in name order.
 */
export const RELEVANCE_TIERS = [0, 1, 2, 3] as const;
export type RelevanceTier = (typeof RELEVANCE_TIERS)[number];

export interface ProductListParams {
  limit: number;
  active?: boolean;
  category?: string;
  lowStock?: boolean;
  /** Units on sent purchase orders not yet received: served by the partial indexes `WHERE incoming > 0` (migration 0019). */
  incoming?: boolean;
  /** A barcode as scanned: a UPC-A finds the product stored with its EAN-13 form, and the reverse. */
  barcode?: string;
  q?: string;
  order:
    | { by: 'sort'; key: ProductSortKey; descending: boolean; after?: readonly [unknown, unknown] }
    | { by: 'relevance'; after?: readonly [RelevanceTier, string, string] };
}

/** Literal conditions (not parameters), so the planner can match the partial indexes' predicates. */
function filters(p: ProductListParams, params: Params): string[] {
  const where: string[] = [];
  if (p.active !== undefined) where.push(p.active ? 'active' : 'NOT active');
  if (p.category) where.push(`lower(category) = lower(${params.add(p.category)})`);
  if (p.lowStock !== undefined) where.push(p.lowStock ? 'low_stock' : 'NOT low_stock');
  if (p.incoming !== undefined) where.push(p.incoming ? 'incoming > 0' : 'incoming = 0');
  // The expression of products_barcode_key (migration 0015), so the unique index answers it.
  if (p.barcode) where.push(`barcode IS NOT NULL AND lpad(barcode, 14, '0') = lpad(${params.add(p.barcode)}, 14, '0')`);
  return where;
}

const nameFragment =
  (q: string): Condition =>
  (params) =>
    `quickstock_unaccent(name) ILIKE ${unaccentedPattern(params, q)}`;

/**
 * The part of a fragment the trigram index is asked for: its last 5 characters when they hold a
 * digit and 3 different trigrams (a model or SKU number: "o 999", "00500"; not "00000"), else the whole.
 * A GIN trigram scan reads the posting list of every trigram of its pattern, and a fragment's
 * shared part ("modello", "SKU-000") has trigrams nearly every row holds: 1,100–1,700 index pages
 * at 1M products, against ~50 for the tail. The whole fragment is then checked on the rows, in a
 * form the index does not serve (`|| ''`), so the set is the same.
 */
export function fragmentTail(q: string): string | undefined {
  // By code point, not UTF-16 unit: a tail starting inside a surrogate pair would match nothing.
  const chars = Array.from(q.toLowerCase());
  const tail = chars.slice(-5);
  const trigrams = new Set([0, 1, 2].map((i) => tail.slice(i, i + 3).join('')));
  return chars.length > 5 && /\d/.test(tail.join('')) && trigrams.size === 3 ? Array.from(q).slice(-5).join('') : undefined;
}

/** `column ILIKE %q%` (`wrap`: through unaccent or not), the trigram index asked only for the fragment's tail. */
function fragmentOf(column: string, q: string, wrap: Wrap): Condition {
  const tail = fragmentTail(q);
  return (params) =>
    tail === undefined
      ? `${wrap.column(column)} ILIKE ${wrap.pattern(params, q)}`
      : `${wrap.column(column)} ILIKE ${wrap.pattern(params, tail)} AND (${wrap.column(column)} || '') ILIKE ${wrap.pattern(params, q)}`;
}
interface Wrap {
  column: (sql: string) => string;
  pattern: (params: Params, text: string) => string;
}
const unaccented: Wrap = { column: (sql) => `quickstock_unaccent(${sql})`, pattern: unaccentedPattern };
const asIs: Wrap = { column: (sql) => sql, pattern: (params, text) => params.add(likePattern(text)) };

/** The condition of a fragment tier (2 and 3): rows of the tiers before it are not repeated. */
function fragmentTier(tier: 2 | 3, q: string): Condition | undefined {
  if (q.length < MIN_FRAGMENT_LENGTH) return undefined;
  if (tier === 2) return (params) => `${fragmentOf('name', q, unaccented)(params)} AND NOT ${isWordMatch(q)(params)} AND NOT (${exactSku(q)(params)})`;
  return (params) => `${fragmentOf('sku', q, asIs)(params)} AND NOT (${isWordMatch(q)(params)} OR ${nameFragment(q)(params)}) AND NOT (${exactSku(q)(params)})`;
}

/** Any match of `q`, for a list that `q` filters and an explicit `sort` orders. */
function anyMatch(q: string): Condition {
  return (params) => {
    const ors = [exactSku(q)(params), nameWords(q)(params)];
    if (q.length >= MIN_FRAGMENT_LENGTH) ors.push(`sku ILIKE ${params.add(likePattern(q))}`, nameFragment(q)(params));
    return `(${ors.join(' OR ')})`;
  };
}

/**
 * How many rows, in sort order, the first attempt at a search reads. A search that matches one row
 * in 25 or more fills a page within them (walking the sort's index, the way the planner likes); a
 * rarer one is answered from its GIN indexes and sorted. The planner cannot tell the two apart (its
 * estimate for an unseen word is 0.5% of the table, and it would walk the whole index to find one
 * "caffè"), so the service asks in this order and stops at the first that answers.
 */
export const SEARCH_WINDOW = 500;

interface Ordering {
  /** The sort expression, which an index serves… */
  expr: string;
  /** …and the same order in a form no index serves (so the planner reads the matches from the GIN indexes). */
  unindexed: string;
  cast: string;
  descending: boolean;
  after?: readonly [unknown, unknown];
}

/** The statements of one ordered list of products: one without a search, else a bounded walk then the sorted matches. */
function orderedList(o: Ordering, where: Condition, match: Condition | undefined, limit: number, extra = ''): ListStatement[] {
  const dir = o.descending ? 'DESC' : 'ASC';
  const build = (expr: string, body: (params: Params, keyset: string[]) => string): ListStatement => {
    const params = new Params();
    const keyset = o.after
      ? [`(${expr}, id) ${o.descending ? '<' : '>'} (CAST(${params.add(o.after[0])} AS ${o.cast}), CAST(${params.add(o.after[1])} AS uuid))`]
      : [];
    return { text: body(params, keyset), values: params.values };
  };
  const clause = (parts: string[]) => (parts.filter(Boolean).length ? `WHERE ${parts.filter(Boolean).join(' AND ')}` : '');
  const order = (expr: string) => `ORDER BY ${expr} ${dir}, id ${dir}`;
  if (!match)
    return [
      build(o.expr, (params, keyset) => `SELECT *${extra} FROM products ${clause([where(params), ...keyset])} ${order(o.expr)} LIMIT ${params.add(limit)}`),
    ];
  const walk = build(
    o.expr,
    (params, keyset) =>
      `SELECT *${extra} FROM (SELECT * FROM products ${clause([where(params), ...keyset])} ${order(o.expr)} LIMIT ${params.add(SEARCH_WINDOW)}) w
        WHERE ${match(params)} ${order(o.expr)} LIMIT ${params.add(limit)}`,
  );
  return [{ ...walk, provisional: true }, sortedMatches(o, where, match, limit, extra)];
}

/** The matches read from the GIN indexes and sorted (the order written so that no btree serves it), from the cursor. */
function sortedMatches(o: Ordering, where: Condition, match: Condition, limit: number, extra: string): ListStatement {
  const params = new Params();
  const dir = o.descending ? 'DESC' : 'ASC';
  const keyset = o.after
    ? `(${o.unindexed}, id) ${o.descending ? '<' : '>'} (CAST(${params.add(o.after[0])} AS ${o.cast}), CAST(${params.add(o.after[1])} AS uuid))`
    : '';
  const conditions = [match(params), where(params), keyset].filter(Boolean).join(' AND ');
  return {
    text: `SELECT *${extra} FROM products WHERE ${conditions} ORDER BY ${o.unindexed} ${dir}, id ${dir} LIMIT ${params.add(limit)}`,
    values: params.values,
  };
}

/** The same order as `expr`, through a no-op the planner does not see through. */
const UNINDEXED: Record<string, (expr: string) => string> = {
  text: (expr) => `(${expr} || '')`,
  timestamptz: (expr) => `(${expr} + interval '0 s')`,
  int: (expr) => `(${expr} + 0)`,
};

/**
 * The statements of one page, in groups: one group for a sorted list, one per remaining relevance
 * tier (from the cursor's tier on) for a ranked search. Run them with `runProductList`. Each
 * statement returns up to limit+1 rows; cursor values are checked to their cast before (keysetAfter).
 */
export function productListSql(p: ProductListParams): ListStatement[][] {
  const where: Condition = (params) => filters(p, params).join(' AND ');
  if (p.order.by === 'sort') {
    const { expr, cast } = PRODUCT_SORT_KEYS[p.order.key];
    const ordering = { expr, unindexed: UNINDEXED[cast]!(expr), cast, descending: p.order.descending, after: p.order.after };
    return [orderedList(ordering, where, p.q ? anyMatch(p.q) : undefined, p.limit + 1)];
  }
  const q = p.q ?? '';
  const after = p.order.after;
  const groups: ListStatement[][] = [];
  for (const tier of RELEVANCE_TIERS) {
    if (after && tier < after[0]) continue;
    const ordering = {
      expr: 'lower(name)',
      unindexed: "(lower(name) || '')",
      cast: 'text',
      descending: false,
      after: after && tier === after[0] ? ([after[1], after[2]] as const) : undefined,
    };
    const extra = `, ${tier} AS tier`;
    if (tier === 0) {
      // The exact SKU is one unique-index lookup: no walk needed.
      groups.push(orderedList(ordering, (params) => [exactSku(q)(params), where(params)].filter(Boolean).join(' AND '), undefined, p.limit + 1, extra));
    } else if (tier === 1) {
      const words: Condition = (params) => `${nameWords(q)(params)} AND NOT (${exactSku(q)(params)})`;
      groups.push([
        wordSearch(q, where, ordering.after, p.limit + 1),
        wordsTogether(q, where, ordering.after, p.limit + 1),
        sortedMatches(ordering, where, words, p.limit + 1, extra),
      ]);
    } else {
      const match = fragmentTier(tier, q);
      if (!match) continue;
      const windows = tier === 2 ? joinedWindows(q) : undefined;
      const anchor = tier === 2 ? numberAnchor(q) : undefined;
      const cursor = ordering.after;
      if (windows) {
        // A fragment with spaces: the joined trigram index, capped (joinedFragments). Past the cap (a
        // fragment that many names hold): its number's range when that is small (anchoredFragments);
        // a walk in name order on products_name_idx alone, which such a fragment fills a page in
        // unless its names are far from the cursor (fragmentWalk); the number's range up to its
        // larger cap; the joined index uncapped.
        groups.push([
          joinedFragments(q, windows, where, cursor, p.limit + 1, JOINED_CAP),
          ...(anchor ? [anchoredFragments(q, anchor, where, cursor, p.limit + 1, ANCHOR_SMALL_CAP)] : []),
          fragmentWalk(q, where, cursor, p.limit + 1, JOINED_WALK),
          ...(anchor ? [anchoredFragments(q, anchor, where, cursor, p.limit + 1)] : []),
          joinedFragments(q, windows, where, cursor, p.limit + 1),
        ]);
        continue;
      }
      // No space between two letters or digits ("caffè 85", one word): the number's range if any, then the walk and the trigram index.
      const [walk, sorted] = orderedList(ordering, where, match, p.limit + 1, extra) as [ListStatement, ListStatement];
      groups.push(anchor ? [anchoredFragments(q, anchor, where, cursor, p.limit + 1), walk, sorted] : [walk, sorted]);
    }
  }
  return groups;
}

/**
 * Runs a page's statements the way the repository does (and the query-plan test and bench with it):
 * group by group until limit+1 rows are in; within a group, the first statement that answers.
 */
export async function runProductList<R>(groups: ListStatement[][], limit: number, run: (statement: ListStatement) => Promise<R[]>): Promise<R[]> {
  const rows: R[] = [];
  for (const group of groups) {
    for (const statement of group) {
      const got = await run(statement);
      if (statement.provisional && got.length <= limit) continue;
      if (statement.windowed && got.some((row) => (row as { window_used_up?: boolean }).window_used_up)) continue;
      rows.push(...got);
      break;
    }
    if (rows.length > limit) break;
  }
  return rows.slice(0, limit + 1);
}
