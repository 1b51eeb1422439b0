import { likeContainsSql, likePattern } from '../platform/db/like';
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
  if (p.incoming !== undefined) where.push(p.incoming ? 'incoming > 0' : 'incoming = 0');
  // The expression of products_barcode_key (migration 0015), so the unique index answers it.
  if (p.barcode) where.push(`barcode IS NOT NULL AND lpad(barcode, 14, '0') = lpad(${params.add(p.barcode)}, 14, '0')`);
  return where;
}

type Condition = (params: Params) => string;

const exactSku =
  (q: string): Condition =>
  (params) =>
    `lower(sku) = lower(${params.add(q)})`;
const nameWords =
  (q: string): Condition =>
  (params) =>
    `${NAME_WORDS} @@ ${wordsOf(params.add(q))}`;
/**
 * The same test as `nameWords` for a row already found (the fragment tiers leave out tier 1's rows):
 * every word of `q` is among the row's words in product_search_words (primary-key probes), which
 * costs far less than computing `to_tsvector` of each candidate's name. No words in `q`: no match.
 */
const isWordMatch =
  (q: string): Condition =>
  (params) => {
    const lexemes = `(SELECT tsvector_to_array(to_tsvector('italian'::regconfig, quickstock_unaccent(${params.add(q)}))))`;
    return `(cardinality(${lexemes}) > 0 AND NOT EXISTS (SELECT 1 FROM unnest(${lexemes}) AS l(lexeme)
            WHERE NOT EXISTS (SELECT 1 FROM product_search_words x WHERE x.lexeme = l.lexeme AND x.name_key = lower(name) AND x.product_id = id)))`;
  };
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
/**
 * The text is unaccented first, as the indexed expression is, and escaped after: escaping before
 * would let unaccent turn fullwidth `％ ＿ ＼` back into LIKE's wildcards and escape.
 */
const unaccentedPattern = (params: Params, text: string) => likeContainsSql(`quickstock_unaccent(${params.add(text)})`);
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
 * A statement of a list; a `provisional` one answers only when it fills its LIMIT, else the next one
 * does; a `windowed` one answers unless it returns its `window_used_up` row (see wordSearch).
 */
export interface ListStatement extends SqlStatement {
  provisional?: boolean;
  windowed?: boolean;
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
      const [walk, sorted] = orderedList(ordering, where, match, p.limit + 1, extra) as [ListStatement, ListStatement];
      const anchor = tier === 2 ? numberAnchor(q) : undefined;
      groups.push(anchor ? [anchoredFragments(q, anchor, where, ordering.after, p.limit + 1), walk, sorted] : [walk, sorted]);
    }
  }
  return groups;
}

/**
 * How many entries of product_search_words a number's prefix range may hold for the fragment tier
 * to be read from it (an index-only count, capped); past it, the trigram index answers.
 */
export const ANCHOR_CAP = 50_000;

/**
 * The number that anchors a name fragment (issue 31: "modello 999", "toner 85"): the longest run of
 * ASCII digits that starts a word of `q` after a space (ties: the last). A name holding the fragment
 * holds, after that space, a word that starts with those digits, and the text-search parser makes a
 * lexeme of it that starts with them too ("999", "9990", "99.5", "99x", "99-b" → "99", "99/c") —
 * unless it sits inside an XML-like tag or comment, which only a name with a `<` can hold. So the
 * products whose words start with the number, plus those with a `<`, hold every match.
 */
export function numberAnchor(q: string): { from: string; to: string } | undefined {
  let best: string | undefined;
  for (const word of q.split(' ').slice(1)) {
    const digits = /^[0-9]+/.exec(word)?.[0];
    if (digits && digits.length >= (best?.length ?? 0)) best = digits;
  }
  // The range ["99", "9:"): in byte order (the lexeme column is COLLATE "C", migration 0020) ':' follows '9'.
  return best ? { from: best, to: best.slice(0, -1) + String.fromCharCode(best.charCodeAt(best.length - 1) + 1) } : undefined;
}

/**
 * Tier 2 through the number of `q` (numberAnchor): the products of the number's prefix range of
 * product_search_words (index-only, sorted by `(name_key, product_id)`, which is `(lower(name), id)`)
 * and those of products_name_markup_idx, from the cursor, each checked against the whole tier-2
 * condition on its row until a page is found. It reads every candidate's key but only a page of
 * products; `window_used_up` when the range holds `ANCHOR_CAP` entries or more (a number that starts
 * too many: "modello 1"), so the runner asks the trigram index instead.
 */
function anchoredFragments(
  q: string,
  anchor: { from: string; to: string },
  where: Condition,
  after: readonly [unknown, unknown] | undefined,
  limit: number,
): ListStatement {
  const params = new Params();
  const cap = params.add(ANCHOR_CAP);
  const afterKey = after ? `(CAST(${params.add(after[0])} AS text), CAST(${params.add(after[1])} AS uuid))` : undefined;
  // An ASCII q is looked for in the key first (lower(name)), before any product is read: in an ASCII
  // key as is (unaccent changes no ASCII character); in a key of Latin-1 letters unaccented (lower
  // case and unaccent commute there: "À" and "à" both give "a"); any other key goes on to the check.
  const ascii = /^[\x20-\x7e]*$/.test(q);
  const lq = ascii ? params.add(q.toLowerCase()) : '';
  const maybe = ascii
    ? `CASE WHEN octet_length(w.name_key) = length(w.name_key) THEN strpos(w.name_key, ${lq}) > 0
            WHEN w.name_key ~ '^[\\x01-\\xff]*$' THEN strpos(lower(quickstock_unaccent(w.name_key)), ${lq}) > 0 ELSE true END`
    : 'true';
  const conditions = [
    // The whole fragment, written so that no index serves it (the candidates come from the range).
    `(quickstock_unaccent(name) || '') ILIKE ${unaccentedPattern(params, q)}`,
    `NOT ${isWordMatch(q)(params)}`,
    `NOT (${exactSku(q)(params)})`,
    where(params),
  ].filter(Boolean);
  const text = `WITH e AS MATERIALIZED (SELECT w.name_key, w.product_id, ${maybe} AS maybe FROM product_search_words w
                                WHERE w.lexeme >= ${params.add(anchor.from)} AND w.lexeme < ${params.add(anchor.to)} LIMIT ${cap}),
    n AS (SELECT count(*) AS n FROM e),
    c AS (SELECT e.name_key, e.product_id FROM e WHERE e.maybe AND (SELECT n FROM n) < ${cap}${afterKey ? ` AND (e.name_key, e.product_id) > ${afterKey}` : ''}
          UNION ALL
          SELECT lower(m.name), m.id FROM products m WHERE quickstock_unaccent(m.name) LIKE '%<%'${afterKey ? ` AND (lower(m.name), m.id) > ${afterKey}` : ''})
    (SELECT products.*, 2 AS tier, false AS window_used_up
       -- DISTINCT ON: a product with two words that start with the number comes once (a sort, then adjacent duplicates dropped).
       FROM (SELECT DISTINCT ON (name_key, product_id) * FROM c ORDER BY name_key, product_id) k JOIN products ON products.id = k.product_id
      WHERE ${conditions.join(' AND ')}
      ORDER BY k.name_key, k.product_id LIMIT ${params.add(limit)})
    UNION ALL
    (SELECT (NULL::products).*, 2, true FROM n WHERE n.n >= ${cap})
    LIMIT ${params.add(limit)}`;
  return { text, values: params.values, windowed: true };
}

/** How far the word search counts each word's rows to pick the rarest (an index-only count, capped). */
export const WORD_COUNT_CAP = 10_000;

/** How many entries of the rarest word the word tier walks before it hands over to the GIN index. */
export const WORD_WINDOW = 2_000;

/**
 * Tier 1, the words of the name: walks product_search_words for the query's rarest word (the
 * smallest capped count, when there are several) in `(lower(name), id)` order from the cursor,
 * keeps the products that have every other word too (primary-key lookups) and pass the filters,
 * and stops after a page, or after `WORD_WINDOW` entries of that word. A page of a common word
 * costs the same at a million products as at a thousand.
 *
 * When the page is not full, a second branch (UNION ALL under the LIMIT, so it runs only then)
 * returns one `window_used_up` row if the word has a `WORD_WINDOW`-th entry from the cursor: the
 * walk stopped at the window, not at the word's end, so its answer may be short and the runner asks
 * the sorted GIN statement instead (words or filters that seldom meet). Without that row the walk
 * read the word's whole remaining range: its answer is complete (the last page of a common word).
 */
function wordSearch(q: string, where: Condition, after: readonly [unknown, unknown] | undefined, limit: number): ListStatement {
  const params = new Params();
  const lexemes = `tsvector_to_array(to_tsvector('italian'::regconfig, quickstock_unaccent(${params.add(q)})))`;
  const keyset = after ? ` AND (w.name_key, w.product_id) > (CAST(${params.add(after[0])} AS text), CAST(${params.add(after[1])} AS uuid))` : '';
  // BETWEEN, not `=`: for `=` an unknown word's estimate is the table over its distinct words (2,000
  // rows at 1M products), about the window, so the planner would sort the whole range from a bitmap;
  // a range estimate is 0.5% of the table and it walks the key (ordered by lexeme too: it is constant).
  const range = `FROM product_search_words w WHERE w.lexeme BETWEEN (SELECT lexeme FROM r) AND (SELECT lexeme FROM r)${keyset}
    ORDER BY w.lexeme, w.name_key, w.product_id`;
  const conditions = [
    // The other words. `true = ALL (…)`, not NOT EXISTS: the planner keeps it a filter of the walk, before the products join.
    `true = ALL (SELECT EXISTS (SELECT 1 FROM product_search_words x WHERE x.lexeme = o AND x.name_key = w.name_key AND x.product_id = w.product_id)
                   FROM q, unnest(q.lexemes) o WHERE o <> w.lexeme)`,
    where(params),
    `NOT (${exactSku(q)(params)})`,
  ].filter(Boolean);
  const window = params.add(WORD_WINDOW);
  const text = `WITH q AS (SELECT ${lexemes} AS lexemes),
    r AS (SELECT l AS lexeme FROM q, unnest(q.lexemes) l WHERE cardinality(q.lexemes) = 1)
    (SELECT products.*, 1 AS tier, false AS window_used_up
       FROM (SELECT w.lexeme, w.name_key, w.product_id ${range} LIMIT ${window}) w JOIN products ON products.id = w.product_id
      WHERE ${conditions.join(' AND ')}
      ORDER BY w.lexeme, w.name_key, w.product_id LIMIT ${params.add(limit)})
    UNION ALL
    (SELECT (NULL::products).*, 1, true FROM (SELECT 1 ${range} OFFSET ${window}::int - 1 LIMIT 1) e)
    UNION ALL
    (SELECT (NULL::products).*, 1, true FROM q WHERE cardinality(q.lexemes) >= 2)
    LIMIT ${params.add(limit)}`;
  return { text, values: params.values, windowed: true };
}

/** How many steps the search for several words takes (wordsTogether) before it hands over to the GIN index. */
export const LEAPFROG_STEPS = 1_000;

/**
 * Tier 1 for several words ("toner blu", "modello toner", "toner penna"): a leapfrog intersection of
 * their ranges of product_search_words, in `(name_key, product_id)` order from the cursor. Each step
 * seeks the first word's next entry at or after the current key, then each other word's first entry
 * at or after it (one primary-key descent each); when all land on the same product it is a match
 * (kept if the product passes the filters), else the search goes on from the farthest of them. It
 * skips the stretches where the words do not meet, so two common words that seldom or never meet
 * cost a few steps, not a read of either word's range. `window_used_up` after `LEAPFROG_STEPS`
 * steps short of a page (words that alternate), so the runner asks the GIN statement; a single
 * word is wordSearch's (it answers with `window_used_up` here).
 */
function wordsTogether(q: string, where: Condition, after: readonly [unknown, unknown] | undefined, limit: number): ListStatement {
  const params = new Params();
  const lexemes = `tsvector_to_array(to_tsvector('italian'::regconfig, quickstock_unaccent(${params.add(q)})))`;
  const start = after
    ? `CAST(${params.add(after[0])} AS text), CAST(${params.add(after[1])} AS uuid), false`
    : `''::text, '00000000-0000-0000-0000-000000000000'::uuid, true`;
  const seek = (lexeme: string, from: string, op: '>=' | '>') =>
    // ROW(…), not `x`: a bare `x` would name an outer query's column x before this table.
    `(SELECT ROW(x.lexeme, x.name_key, x.product_id)::product_search_words FROM product_search_words x WHERE x.lexeme = ${lexeme} AND (x.name_key, x.product_id) ${op} ${from}
       ORDER BY x.lexeme, x.name_key, x.product_id LIMIT 1)`;
  const passes = [where(params), `NOT (${exactSku(q)(params)})`].filter(Boolean).join(' AND ');
  const steps = params.add(LEAPFROG_STEPS);
  const page = params.add(limit);
  const text = `WITH RECURSIVE q AS (SELECT ${lexemes} AS lexemes),
    d AS (SELECT q.lexemes[1] AS lead, q.lexemes[2:] AS others FROM q WHERE cardinality(q.lexemes) >= 2),
    s(name_key, product_id, incl, hit, found, step) AS (
      SELECT ${start}, false, 0, 0 FROM d
      UNION ALL
      SELECT m.name_key, m.product_id, NOT m.hit, m.hit, s.found + m.hit::int, s.step + 1
        FROM s, d, LATERAL (
          SELECT c.name_key, c.product_id,
                 (c.name_key, c.product_id) = (a.name_key, a.product_id)
                   AND EXISTS (SELECT 1 FROM products WHERE products.id = a.product_id${passes ? ` AND ${passes}` : ''}) AS hit
            FROM (SELECT CASE WHEN s.incl THEN ${seek('d.lead', '(s.name_key, s.product_id)', '>=')}
                              ELSE ${seek('d.lead', '(s.name_key, s.product_id)', '>')} END AS x OFFSET 0) a0,
                 LATERAL (SELECT (a0.x).name_key, (a0.x).product_id) a,
                 LATERAL (SELECT (array_agg(n.x ORDER BY (n.x).name_key DESC, (n.x).product_id DESC))[1] AS x
                            FROM unnest(d.others) o, LATERAL (SELECT ${seek('o', '(a.name_key, a.product_id)', '>=')} AS x OFFSET 0) n) b,
                 LATERAL (SELECT (b.x).name_key, (b.x).product_id) c
           WHERE a.name_key IS NOT NULL AND c.name_key IS NOT NULL) m
       WHERE s.step < ${steps} AND s.found < ${page}
    )
    (SELECT products.*, 1 AS tier, false AS window_used_up FROM s JOIN products ON products.id = s.product_id WHERE s.hit ORDER BY s.step LIMIT ${page})
    UNION ALL
    (SELECT (NULL::products).*, 1, true FROM s WHERE s.step >= ${steps} AND s.found < ${page})
    UNION ALL
    (SELECT (NULL::products).*, 1, true WHERE NOT EXISTS (SELECT 1 FROM d))
    LIMIT ${page}`;
  return { text, values: params.values, windowed: true };
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
