import type { MigrationContext } from '../migrator';

/**
 * Product search that stays fast at a million products (issue 17): an inverted table of the Italian
 * words of each product's name, in name order within a word, so a page of a common word ("toner")
 * walks one index range in `(lower(name), id)` order and stops after a page, instead of fetching
 * every match from the GIN index to sort them.
 *
 * - One row per lexeme of `to_tsvector('italian', quickstock_unaccent(name))` (the lexemes of
 *   products_search_fts_idx): the primary key `(lexeme, name_key, product_id)` is the index.
 * - Triggers keep it: on INSERT, on DELETE, and on UPDATE OF name only when the name changes — the
 *   stock updates of reservations (on_hand, reserved) never fire them.
 * - No foreign key: a product's rows go with it through the DELETE trigger (primary-key lookups);
 *   a cascade would need one more index on product_id.
 * - Existing products are indexed here: at 1,000,000 products allow about a minute, products locked
 *   against writes (SHARE) meanwhile.
 */
export async function up({ sequelize }: MigrationContext): Promise<void> {
  await sequelize.query(`
    CREATE TABLE product_search_words (
      lexeme text NOT NULL,
      name_key text NOT NULL,
      product_id uuid NOT NULL
    );

    CREATE FUNCTION product_search_words_sync() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF TG_OP <> 'INSERT' THEN
        DELETE FROM product_search_words
         WHERE lexeme = ANY (tsvector_to_array(to_tsvector('italian'::regconfig, quickstock_unaccent(OLD.name))))
           AND name_key = lower(OLD.name) AND product_id = OLD.id;
      END IF;
      IF TG_OP <> 'DELETE' THEN
        INSERT INTO product_search_words (lexeme, name_key, product_id)
        SELECT w, lower(NEW.name), NEW.id
          FROM unnest(tsvector_to_array(to_tsvector('italian'::regconfig, quickstock_unaccent(NEW.name)))) w;
      END IF;
      RETURN NULL;
    END $$;

    CREATE TRIGGER product_search_words_insert AFTER INSERT ON products
      FOR EACH ROW EXECUTE FUNCTION product_search_words_sync();
    CREATE TRIGGER product_search_words_rename AFTER UPDATE OF name ON products
      FOR EACH ROW WHEN (OLD.name IS DISTINCT FROM NEW.name) EXECUTE FUNCTION product_search_words_sync();
    CREATE TRIGGER product_search_words_delete AFTER DELETE ON products
      FOR EACH ROW EXECUTE FUNCTION product_search_words_sync();

    -- The fill outlasts the pool's statement_timeout on a large catalog (this migration's transaction only).
    SET LOCAL statement_timeout = 0;
    LOCK TABLE products IN SHARE MODE;
    INSERT INTO product_search_words (lexeme, name_key, product_id)
    SELECT w, lower(p.name), p.id
      FROM products p, unnest(tsvector_to_array(to_tsvector('italian'::regconfig, quickstock_unaccent(p.name)))) w;
    -- The key after the fill: one sorted build, a compact index (half the size of one filled row by row).
    ALTER TABLE product_search_words ADD PRIMARY KEY (lexeme, name_key, product_id);
    ANALYZE product_search_words;
  `);
}

export async function down({ sequelize }: MigrationContext): Promise<void> {
  await sequelize.query(`
    DROP TRIGGER product_search_words_delete ON products;
    DROP TRIGGER product_search_words_rename ON products;
    DROP TRIGGER product_search_words_insert ON products;
    DROP FUNCTION product_search_words_sync();
    DROP TABLE product_search_words;
  `);
}
