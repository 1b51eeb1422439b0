import type { MigrationContext } from '../migrator';

/**
 * Search in Italian and every list filter served by an index in the order of its sort (issue 17).
 *
 * - `pg_trgm` and `unaccent` ship with Debian's PostgreSQL and the embedded one; both are *trusted*
 *   extensions, so the database owner may create them (no superuser needed on PostgreSQL ≥ 13).
 * - `unaccent(text)` is only STABLE (it looks its dictionary up by name), so index expressions go
 *   through `quickstock_unaccent`, IMMUTABLE because it names the dictionary itself.
 * - `low_stock` is a stored generated column (the inventory rule `on_hand - reserved <= reorder_level`):
 *   it changes only when a product crosses its level, so the partial indexes `WHERE low_stock` keep
 *   the reservation UPDATE of order placement a HOT update (no index names `on_hand` or `reserved`;
 *   fillfactor 90 leaves the room on each page that HOT needs).
 * - One index per filter × sort key (name, sku, createdAt): category (full), low stock and archived
 *   (partial, small). Sorting by `available` is not indexed on purpose: that index would make every
 *   reservation a non-HOT update (see the measurement in docs/search.md).
 * - Orders: number prefixes (text_pattern_ops), each status in (created_at, id) order; users: trigram
 *   search of name and email for staff's order search by customer.
 */
export async function up({ sequelize }: MigrationContext): Promise<void> {
  await sequelize.query(`
    CREATE EXTENSION IF NOT EXISTS pg_trgm;
    CREATE EXTENSION IF NOT EXISTS unaccent;
    CREATE OR REPLACE FUNCTION quickstock_unaccent(text) RETURNS text
      LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
      AS $$ SELECT public.unaccent('public.unaccent'::regdictionary, $1) $$;

    ALTER TABLE products SET (fillfactor = 90);
    ALTER TABLE products ADD COLUMN low_stock boolean NOT NULL
      GENERATED ALWAYS AS (on_hand - reserved <= reorder_level) STORED;

    CREATE INDEX products_search_fts_idx ON products
      USING gin (to_tsvector('italian'::regconfig, quickstock_unaccent(name)));
    -- Two single-column indexes: a fragment of the SKU reads only the SKUs' trigrams (one two-column
    -- GIN index took twice as long at 1M products, the SKUs sharing their common trigrams).
    CREATE INDEX products_sku_trgm_idx ON products USING gin (sku gin_trgm_ops);
    CREATE INDEX products_name_trgm_idx ON products USING gin (quickstock_unaccent(name) gin_trgm_ops);

    DROP INDEX products_category_idx;
    CREATE INDEX products_category_name_idx ON products (lower(category), lower(name), id);
    CREATE INDEX products_category_sku_idx ON products (lower(category), lower(sku), id);
    CREATE INDEX products_category_created_idx ON products (lower(category), created_at, id);

    CREATE INDEX products_low_name_idx ON products (lower(name), id) WHERE low_stock;
    CREATE INDEX products_low_sku_idx ON products (lower(sku), id) WHERE low_stock;
    CREATE INDEX products_low_created_idx ON products (created_at, id) WHERE low_stock;

    CREATE INDEX products_archived_name_idx ON products (lower(name), id) WHERE NOT active;
    CREATE INDEX products_archived_sku_idx ON products (lower(sku), id) WHERE NOT active;
    CREATE INDEX products_archived_created_idx ON products (created_at, id) WHERE NOT active;

    CREATE INDEX orders_number_prefix_idx ON orders (number text_pattern_ops);
    DROP INDEX orders_status_idx;
    CREATE INDEX orders_status_idx ON orders (status, created_at DESC, id DESC);

    CREATE INDEX users_search_trgm_idx ON users USING gin (name gin_trgm_ops, email gin_trgm_ops);
  `);
}

export async function down({ sequelize }: MigrationContext): Promise<void> {
  await sequelize.query(`
    DROP INDEX users_search_trgm_idx;
    DROP INDEX orders_status_idx;
    CREATE INDEX orders_status_idx ON orders (status, created_at DESC);
    DROP INDEX orders_number_prefix_idx;
    DROP INDEX products_archived_created_idx, products_archived_sku_idx, products_archived_name_idx,
      products_low_created_idx, products_low_sku_idx, products_low_name_idx,
      products_category_created_idx, products_category_sku_idx, products_category_name_idx,
      products_name_trgm_idx, products_sku_trgm_idx, products_search_fts_idx;
    CREATE INDEX products_category_idx ON products (category);
    ALTER TABLE products DROP COLUMN low_stock;
    ALTER TABLE products RESET (fillfactor);
    DROP FUNCTION quickstock_unaccent(text);
  `);
}
