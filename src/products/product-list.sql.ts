import { likePattern } from '../platform/db/like';
import type { SqlStatement } from '../platform/db/sql';

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

/** Italian words of the name, stemmed and without accents: the expression of products_search_fts_idx. */
export const NAME_WORDS = "to_tsvector('italian'::regconfig, quickstock_unaccent(name))";
const wordsOf = (param: string) => `plainto_tsquery('italian'::regconfig, quickstock_unaccent(${param}))`;

/** Fragments (SKU or name, accents ignored) need 3 characters: the trigram index serves nothing shorter. */
export const MIN_FRAGMENT_LENGTH = 3;

/**
 * Relevance tiers when `q` is given without `sort`: 0 the exact SKU; 1 the name (every word of `q`,
 * Italian stemming, no accents, or from 3 characters a fragment of it); 2 a fragment of the SKU.
 * Within a tier, by name then id. Each tier is its own index-served statement, run in turn until
 * the page is full, so a common word never makes the database rank every match. (Words before name
 * fragments would read better, but that tier would have to skip every word match to find none.)
 */
export const RELEVANCE_TIERS = [0, 1, 2] as const;
export type RelevanceTier = (typeof RELEVANCE_TIERS)[number];

export interface ProductListParams {
  limit: number;
  active?: boolean;
  category?: string;
  lowStock?: boolean;
  q?: string;
  order:
    | { by: 'sort'; key: ProductSortKey; descending: boolean; after?: readonly [unknown, unknown] }
    | { by: 'relevance'; after?: readonly [RelevanceTier, string, string] };
}

class Params {
  readonly values: unknown[] = [];
  add(value: unknown): string {
    return `$${this.values.push(value)}`;
  }
}

/** Literal conditions (not parameters), so the planner can match the partial indexes' predicates. */
function filters(p: ProductListParams, params: Params): string[] {
  const where: string[] = [];
  if (p.active !== undefined) where.push(p.active ? 'active' : 'NOT active');
  if (p.category) where.push(`lower(category) = lower(${params.add(p.category)})`);
  if (p.lowStock !== undefined) where.push(p.lowStock ? 'low_stock' : 'NOT low_stock');
  return where;
}

function tierCondition(tier: RelevanceTier, q: string, params: Params): string | undefined {
  const exact = () => `lower(sku) = lower(${params.add(q)})`;
  const fragment = q.length >= MIN_FRAGMENT_LENGTH;
  const name = () => {
    const words = `${NAME_WORDS} @@ ${wordsOf(params.add(q))}`;
    return fragment ? `(${words} OR quickstock_unaccent(name) ILIKE quickstock_unaccent(${params.add(likePattern(q))}))` : words;
  };
  if (tier === 0) return exact();
  if (tier === 1) return `${name()} AND NOT (${exact()})`;
  if (!fragment) return undefined;
  return `sku ILIKE ${params.add(likePattern(q))} AND NOT ${name()} AND NOT (${exact()})`;
}

/** Any match of `q`, for a list that `q` filters and an explicit `sort` orders. */
function anyMatch(q: string, params: Params): string {
  const ors = [`lower(sku) = lower(${params.add(q)})`, `${NAME_WORDS} @@ ${wordsOf(params.add(q))}`];
  if (q.length >= MIN_FRAGMENT_LENGTH) {
    const like = params.add(likePattern(q));
    ors.push(`sku ILIKE ${like}`, `quickstock_unaccent(name) ILIKE quickstock_unaccent(${like})`);
  }
  return `(${ors.join(' OR ')})`;
}

const select = (where: string[], orderBy: string, limit: string, extra = '') =>
  `SELECT *${extra} FROM products ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY ${orderBy} LIMIT ${limit}`;

/**
 * The statements of one page, each returning up to limit+1 rows: one for a sorted list, one per
 * remaining relevance tier (from the cursor's tier on) for a ranked search. Run them in order and
 * stop once limit+1 rows are in. A forged cursor value that does not cast raises a pg 22xxx error.
 */
export function productListSql(p: ProductListParams): SqlStatement[] {
  if (p.order.by === 'sort') {
    const params = new Params();
    const where = filters(p, params);
    if (p.q) where.push(anyMatch(p.q, params));
    const { expr, cast } = PRODUCT_SORT_KEYS[p.order.key];
    const dir = p.order.descending ? 'DESC' : 'ASC';
    if (p.order.after) {
      const [value, id] = p.order.after;
      where.push(`(${expr}, id) ${p.order.descending ? '<' : '>'} (CAST(${params.add(value)} AS ${cast}), CAST(${params.add(id)} AS uuid))`);
    }
    return [{ text: select(where, `${expr} ${dir}, id ${dir}`, params.add(p.limit + 1)), values: params.values }];
  }
  const q = p.q ?? '';
  const after = p.order.after;
  const statements: SqlStatement[] = [];
  for (const tier of RELEVANCE_TIERS) {
    if (after && tier < after[0]) continue;
    const params = new Params();
    const condition = tierCondition(tier, q, params);
    if (!condition) continue;
    const where = [condition, ...filters(p, params)];
    if (after && tier === after[0]) where.push(`(lower(name), id) > (${params.add(after[1])}, CAST(${params.add(after[2])} AS uuid))`);
    statements.push({ text: select(where, 'lower(name), id', params.add(p.limit + 1), `, ${tier} AS tier`), values: params.values });
  }
  return statements;
}
