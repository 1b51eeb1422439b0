import { likeContainsSql } from '../platform/db/like';
import type { SqlStatement } from '../platform/db/sql';

/** The pieces the product list's statements are built of (product-list.sql.ts, product-search.sql.ts). */

/** Italian words of the name, stemmed and without accents: the expression of products_search_fts_idx. */
export const NAME_WORDS = "to_tsvector('italian'::regconfig, quickstock_unaccent(name))";
const wordsOf = (param: string) => `plainto_tsquery('italian'::regconfig, quickstock_unaccent(${param}))`;

/**
 * A statement of a list; a `provisional` one answers only when it fills its LIMIT, else the next one
 * does; a `windowed` one answers unless it returns its `window_used_up` row (see wordSearch).
 */
export interface ListStatement extends SqlStatement {
  provisional?: boolean;
  windowed?: boolean;
}

export class Params {
  readonly values: unknown[] = [];
  add(value: unknown): string {
    return `$${this.values.push(value)}`;
  }
}

export type Condition = (params: Params) => string;

export const exactSku =
  (q: string): Condition =>
  (params) =>
    `lower(sku) = lower(${params.add(q)})`;
export const nameWords =
  (q: string): Condition =>
  (params) =>
    `${NAME_WORDS} @@ ${wordsOf(params.add(q))}`;
/**
 * The same test as `nameWords` for a row already found (the fragment tiers leave out tier 1's rows):
 * every word of `q` is among the row's words in product_search_words (primary-key probes), which
 * costs far less than computing `to_tsvector` of each candidate's name. No words in `q`: no match.
 */
export const isWordMatch =
  (q: string): Condition =>
  (params) => {
    const lexemes = `(SELECT tsvector_to_array(to_tsvector('italian'::regconfig, quickstock_unaccent(${params.add(q)}))))`;
    return `(cardinality(${lexemes}) > 0 AND NOT EXISTS (SELECT 1 FROM unnest(${lexemes}) AS l(lexeme)
            WHERE NOT EXISTS (SELECT 1 FROM product_search_words x WHERE x.lexeme = l.lexeme AND x.name_key = lower(name) AND x.product_id = id)))`;
  };
/**
 * The text is unaccented first, as the indexed expression is, and escaped after: escaping before
 * would let unaccent turn fullwidth `％ ＿ ＼` back into LIKE's wildcards and escape.
 */
export const unaccentedPattern = (params: Params, text: string) => likeContainsSql(`quickstock_unaccent(${params.add(text)})`);
