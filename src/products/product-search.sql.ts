import { likeContainsSql } from '../platform/db/like';
import { exactSku, isWordMatch, Params, unaccentedPattern, type Condition, type ListStatement } from './product-search-terms.sql';

/**
 * The search statements that read product_search_words (migrations 0012, 0020): tier 1 for one word
 * (wordSearch) and for several (wordsTogether), tier 2 for a fragment with spaces (joinedFragments) and
 * through a number of `q` (anchoredFragments).
 */

/** What joins a name's words in products_name_joined_trgm_idx (migration 0021): a letter, so pg_trgm's trigrams span the space. */
export const WORD_JOINER = 'q';

/**
 * The parts of a name fragment that products_name_joined_trgm_idx is asked for (issue 31: "modello
 * 99", "toner 85", "toner penna"). That index holds the trigrams of the unaccented name with each
 * space replaced by `WORD_JOINER`, so a trigram spans two words ("r q 8" for "toner 85"), which no
 * trigram of the plain name does: two words that are each in every row are seldom next to each other.
 * A window is the character before a space of `q`, the joiner and the character after ("toner blu
 * modello 777" → "rqb", "uqm"), and for the last space up to three characters after ("oq777"); only
 * spaces between two ASCII letters or digits make one (anything else may not be a trigram
 * character). The windows are substrings of the joined fragment, so every name holding the fragment
 * holds them; the short ones leave out the fragment's own words, whose trigrams ("mod", "llo") are in
 * every row and would make the index read its largest posting lists. None: `q` has no such space.
 */
export function joinedWindows(q: string): string[] | undefined {
  const alnum = /^[A-Za-z0-9]$/;
  const spaces = [...q.matchAll(/ /g)].map((m) => m.index).filter((i) => i > 0 && alnum.test(q[i - 1]!) && alnum.test(q[i + 1] ?? ''));
  if (spaces.length === 0) return undefined;
  return spaces.map((i, n) => {
    const after = n === spaces.length - 1 ? /^[A-Za-z0-9]{1,3}/.exec(q.slice(i + 1))![0] : q[i + 1]!;
    return `${q[i - 1]!}${WORD_JOINER}${after}`.toLowerCase();
  });
}

/** How many candidates the capped joined statement reads (unordered, each checked) before it hands over. */
export const JOINED_CAP = 200;

/** How many products, in name order from the cursor, the walk for a fragment with spaces reads (fragmentWalk). */
export const JOINED_WALK = 8_000;

/**
 * The fragment's test (tier 2's `quickstock_unaccent(name) ILIKE %q%`), cheapest first: an ASCII
 * name is its own unaccented form (unaccent changes no ASCII character), so it holds the fragment
 * when its lower case holds the unaccented fragment's (as ILIKE compares them); only other names are
 * unaccented. Written so that no index serves it.
 */
export function holdsFragment(q: string, params: Params): string {
  const text = params.add(q);
  return `CASE WHEN octet_length(name) = length(name) THEN strpos(lower(name), lower(quickstock_unaccent(${text}))) > 0
               ELSE (quickstock_unaccent(name) || '') ILIKE ${likeContainsSql(`quickstock_unaccent(${text})`)} END`;
}

/**
 * Tier 2 for a fragment with spaces that many names hold, in name order: reads `window` products
 * from the cursor through products_name_idx, whose key and included `name` and `active` (migration
 * 0021) let the walk and the fragment's test run on the index alone for a customer's search; only
 * the names that hold the fragment are read from the table and checked against the rest of tier 2
 * (not a word match, not the exact SKU). Provisional: it answers only with a full page.
 */
export function fragmentWalk(q: string, where: Condition, after: readonly [unknown, unknown] | undefined, limit: number, window: number): ListStatement {
  const params = new Params();
  const conditions = [where(params), after ? `(lower(name), id) > (CAST(${params.add(after[0])} AS text), CAST(${params.add(after[1])} AS uuid))` : ''].filter(
    Boolean,
  );
  const walked = `SELECT id AS pid, lower(name) AS name_key, name FROM products${conditions.length ? ` WHERE ${conditions.join(' AND ')}` : ''}
                   ORDER BY lower(name), id LIMIT ${params.add(window)}`;
  const text = `SELECT products.*, 2 AS tier
      FROM (SELECT w.pid, w.name_key FROM (${walked}) w WHERE ${holdsFragment(q, params)}) w JOIN products ON products.id = w.pid
     WHERE NOT ${isWordMatch(q)(params)} AND NOT (${exactSku(q)(params)})
     ORDER BY w.name_key, w.pid LIMIT ${params.add(limit)}`;
  return { text, values: params.values, provisional: true };
}

/**
 * Tier 2 for a fragment with spaces, from products_name_joined_trgm_idx (migration 0021): the
 * products whose joined name holds every window (joinedWindows), then holds the fragment, pass the
 * filters and follow the cursor, sorted by name; the word matches (tier 1) and the exact SKU are left
 * out as the sorted page is read, so only a page's worth of them are checked. With `cap`, it reads at
 * most `cap` + 1 candidates in table order and answers `window_used_up` when there are more (a
 * fragment that thousands of names hold: its number's range or a walk answers it, else this
 * statement without a cap). The uncapped statement's subquery (OFFSET 0) keeps its name order.
 */
export function joinedFragments(
  q: string,
  windows: readonly string[],
  where: Condition,
  after: readonly [unknown, unknown] | undefined,
  limit: number,
  cap?: number,
): ListStatement {
  const params = new Params();
  const joined = `replace(quickstock_unaccent(name), ' ', '${WORD_JOINER}')`;
  const conditions = [
    ...windows.map((w) => `${joined} ILIKE ${params.add(`%${w}%`)}`),
    holdsFragment(q, params),
    where(params),
    // || '': the keyset must not make the planner walk products_name_idx (the index asked is the joined one).
    after ? `(lower(name) || '', id) > (CAST(${params.add(after[0])} AS text), CAST(${params.add(after[1])} AS uuid))` : '',
  ].filter(Boolean);
  const page = params.add(limit);
  const notWords = `NOT ${isWordMatch(q)(params)} AND NOT (${exactSku(q)(params)})`;
  if (cap === undefined) {
    const text = `SELECT c.*, 2 AS tier FROM (SELECT * FROM products WHERE ${conditions.join(' AND ')} ORDER BY lower(name) || '', id OFFSET 0) c
      WHERE ${notWords} LIMIT ${page}`;
    return { text, values: params.values };
  }
  const capped = params.add(cap);
  const text = `WITH c AS MATERIALIZED (SELECT * FROM products WHERE ${conditions.join(' AND ')} LIMIT ${capped}::int + 1),
    n AS (SELECT count(*) AS n FROM c)
    (SELECT s.*, 2 AS tier, false AS window_used_up
       FROM (SELECT * FROM c WHERE (SELECT n FROM n) <= ${capped} ORDER BY lower(name), id OFFSET 0) s
      WHERE ${notWords} LIMIT ${page})
    UNION ALL
    (SELECT (NULL::products).*, 2, true FROM n WHERE n.n > ${capped})
    LIMIT ${page}`;
  return { text, values: params.values, windowed: true };
}

/**
 * How many entries of product_search_words a number's prefix range may hold for the fragment tier
 * to be read from it (an index-only count, capped); past it, the walk and the joined index answer.
 */
export const ANCHOR_CAP = 50_000;

/**
 * The cap of the first read of a number's range for a fragment with spaces (before the walk in name
 * order): a range this small ("modello 999": 1,111 numbers start with 999) costs less than the walk.
 */
export const ANCHOR_SMALL_CAP = 2_000;

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
 * products; `window_used_up` when the range holds `rangeCap` (`ANCHOR_CAP`) entries or more (a number that starts
 * too many: "modello 1"), so the runner goes on to the walk and the joined index.
 */
export function anchoredFragments(
  q: string,
  anchor: { from: string; to: string },
  where: Condition,
  after: readonly [unknown, unknown] | undefined,
  limit: number,
  rangeCap = ANCHOR_CAP,
): ListStatement {
  const params = new Params();
  const cap = params.add(rangeCap);
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

/** How many entries of its word the one-word walk reads before it hands over to the GIN index. */
export const WORD_WINDOW = 2_000;

/**
 * Tier 1 for one word (for several it answers `window_used_up`, and wordsTogether runs): walks the
 * word's range of product_search_words in `(lower(name), id)` order from the cursor, keeps the
 * products that pass the filters, and stops after a page, or after `WORD_WINDOW` entries. A page of
 * a common word costs the same at a million products as at a thousand.
 *
 * When the page is not full, a second branch (UNION ALL under the LIMIT, so it runs only then)
 * returns one `window_used_up` row if the word has a `WORD_WINDOW`-th entry from the cursor: the
 * walk stopped at the window, not at the word's end, so its answer may be short and the runner asks
 * the sorted GIN statement instead (words or filters that seldom meet). Without that row the walk
 * read the word's whole remaining range: its answer is complete (the last page of a common word).
 */
export function wordSearch(q: string, where: Condition, after: readonly [unknown, unknown] | undefined, limit: number): ListStatement {
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
export const LEAPFROG_STEPS = 300;

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
export function wordsTogether(q: string, where: Condition, after: readonly [unknown, unknown] | undefined, limit: number): ListStatement {
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
