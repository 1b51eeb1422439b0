import type { MigrationContext } from '../migrator';

/**
 * A name fragment with spaces (issue 31: "modello 99", "toner 85", "toner penna"), answered from
 * the rare side: the trigrams of pg_trgm never span a space, so "toner 85" asked the index for
 * "toner" and "85" — each in tens of thousands of names at 1M products — and checked every name
 * that holds both. `products_name_joined_trgm_idx` indexes the unaccented name with each space
 * replaced by a letter (`q`, the product-search builder's `WORD_JOINER`), so its trigrams span the
 * words ("rq8"), and two words that are each common are seldom next to each other. A `q` in a name
 * makes a trigram that a space would also make: a candidate the fragment's own test then drops.
 * The number's prefix range (0020) stays, for a fragment that thousands of names hold.
 *
 * `products_name_idx` (0002) now includes `name` and `active`, so that the walk of a customer's
 * search in name order (the product-search builder's `fragmentWalk`: a fragment that thousands of
 * names hold, "modello 99") reads the index alone, testing each name on it, and only a page of
 * products from the table (an index-only scan: the planner needs every column the walk reads).
 *
 * At 1,000,000 products the two indexes build in about 45 s, products' writes waiting meanwhile.
 */
export async function up({ sequelize }: MigrationContext): Promise<void> {
  await sequelize.query(`
    SET LOCAL statement_timeout = 0;
    SET LOCAL maintenance_work_mem = '256MB';
    CREATE INDEX products_name_joined_trgm_idx ON products USING gin (replace(quickstock_unaccent(name), ' ', 'q') gin_trgm_ops);
    DROP INDEX products_name_idx;
    CREATE INDEX products_name_idx ON products (lower(name), id) INCLUDE (name, active);
  `);
}

export async function down({ sequelize }: MigrationContext): Promise<void> {
  await sequelize.query(`
    DROP INDEX products_name_joined_trgm_idx;
    DROP INDEX products_name_idx;
    CREATE INDEX products_name_idx ON products (lower(name), id);
  `);
}
