import type { MigrationContext } from '../migrator';

/**
 * A common word with a rare number (issue 31: "modello 999", "toner 85"): the name-fragment tier
 * finds its candidates through the number, as a prefix range of product_search_words, instead of the
 * trigram index (whose posting lists for "modello" hold every row).
 *
 * - `product_search_words.lexeme` is compared byte by byte (COLLATE "C"), so the lexemes that start
 *   with "99" are exactly the key range ["99", "9:"), whatever the database's collation (a linguistic
 *   one ignores punctuation and would scatter "99.5" or "99-b"). The word tier only asks `lexeme = x`
 *   (as a range x..x) and orders within one lexeme by `name_key`, which keeps the database collation.
 * - `products_name_markup_idx`: the few names with a `<`, whose digits the text-search parser may hide
 *   inside an XML-like tag or comment ("cavo <a 99>" has no lexeme "99"); the fragment tier reads them
 *   besides the range, so its set is the one the trigram index gives.
 *
 * At 1,000,000 products the lexeme column's rewrite (table and key) takes about a minute, products'
 * word table locked meanwhile (renames and new products wait).
 */
export async function up({ sequelize }: MigrationContext): Promise<void> {
  await sequelize.query(`
    SET LOCAL statement_timeout = 0;
    ALTER TABLE product_search_words ALTER COLUMN lexeme TYPE text COLLATE "C";
    CREATE INDEX products_name_markup_idx ON products (lower(name), id) WHERE quickstock_unaccent(name) LIKE '%<%';
    ANALYZE product_search_words;
  `);
}

export async function down({ sequelize }: MigrationContext): Promise<void> {
  await sequelize.query(`
    DROP INDEX products_name_markup_idx;
    ALTER TABLE product_search_words ALTER COLUMN lexeme TYPE text COLLATE "default";
  `);
}
