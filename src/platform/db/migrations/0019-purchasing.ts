import type { MigrationContext } from '../migrator';

/**
 * Purchasing (issue 29): suppliers, purchase orders and goods receipts.
 *
 * - `suppliers`: a VAT number is checked by the service (an Italian Partita IVA with its check digit,
 *   or a foreign one); the database keeps its shape and its length.
 * - `purchase_orders`: numbered PO-YYYY-NNNNNN from `purchase_order_number_seq`; the status is one of
 *   the five the service derives under the order's row lock. `created_at` is keyset-paged with a
 *   millisecond cursor, so it is `timestamptz(3)` from `clock_timestamp()` (as in 0003/0018): drafts made
 *   in one transaction differ and none hides behind a truncated cursor.
 * - `purchase_order_lines`: one per product; `quantity > 0`, `unit_cost_cents` an int32 ≥ 0,
 *   `received_quantity ≥ 0` (it may pass `quantity` only through an over-receipt the body allowed).
 * - `purchase_receipts` / `purchase_receipt_lines`: each receipt and its units (quantity > 0).
 * - `products` gain their supplier (`supplier_id`, `supplier_sku`), `reorder_quantity` (> 0, or null:
 *   enough to reach twice the reorder level) and `incoming` (≥ 0: units on sent purchase orders not yet
 *   received), kept by inventory under the product's row lock. `incoming > 0` has partial indexes in
 *   the order of each sort key, like `low_stock`, so `GET /products?incoming=true` reads no whole table.
 */
export async function up({ sequelize }: MigrationContext): Promise<void> {
  await sequelize.query(`
    CREATE TABLE suppliers (
      id uuid PRIMARY KEY,
      name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
      vat_number text CHECK (vat_number ~ '^[A-Z]{2}[A-Z0-9]{2,13}$' OR vat_number ~ '^[0-9]{11}$'),
      email text CHECK (length(email) <= 254),
      phone text CHECK (length(phone) <= 40),
      lead_time_days integer CHECK (lead_time_days >= 0 AND lead_time_days <= 365),
      archived boolean NOT NULL DEFAULT false,
      created_at timestamptz(3) NOT NULL DEFAULT clock_timestamp(),
      updated_at timestamptz(3) NOT NULL DEFAULT clock_timestamp()
    );
    CREATE INDEX suppliers_name_idx ON suppliers (lower(name), id);

    ALTER TABLE products
      ADD COLUMN supplier_id uuid REFERENCES suppliers(id),
      ADD COLUMN supplier_sku text CHECK (length(supplier_sku) BETWEEN 1 AND 64),
      ADD COLUMN reorder_quantity integer CONSTRAINT products_reorder_quantity_check CHECK (reorder_quantity > 0 AND reorder_quantity <= 1000000000),
      ADD COLUMN incoming integer NOT NULL DEFAULT 0 CONSTRAINT products_incoming_check CHECK (incoming >= 0 AND incoming <= 1000000000);
    CREATE INDEX products_supplier_idx ON products (supplier_id) WHERE supplier_id IS NOT NULL;
    CREATE INDEX products_incoming_name_idx ON products (lower(name), id) WHERE incoming > 0;
    CREATE INDEX products_incoming_sku_idx ON products (lower(sku), id) WHERE incoming > 0;
    CREATE INDEX products_incoming_created_idx ON products (created_at, id) WHERE incoming > 0;

    CREATE SEQUENCE purchase_order_number_seq;
    CREATE TABLE purchase_orders (
      id uuid PRIMARY KEY,
      number text NOT NULL UNIQUE,
      supplier_id uuid NOT NULL REFERENCES suppliers(id),
      status text NOT NULL DEFAULT 'draft'
        CONSTRAINT purchase_orders_status_check CHECK (status IN ('draft', 'sent', 'partially_received', 'received', 'cancelled')),
      expected_at date,
      notes text CHECK (length(notes) <= 2000),
      version integer NOT NULL DEFAULT 1 CHECK (version >= 1),
      created_by uuid REFERENCES users(id),
      sent_at timestamptz,
      cancelled_at timestamptz,
      created_at timestamptz(3) NOT NULL DEFAULT clock_timestamp(),
      updated_at timestamptz(3) NOT NULL DEFAULT clock_timestamp()
    );
    CREATE INDEX purchase_orders_created_idx ON purchase_orders (created_at DESC, id DESC);
    CREATE INDEX purchase_orders_status_idx ON purchase_orders (status, created_at DESC, id DESC);
    CREATE INDEX purchase_orders_supplier_idx ON purchase_orders (supplier_id, created_at DESC, id DESC);

    CREATE TABLE purchase_order_lines (
      purchase_order_id uuid NOT NULL REFERENCES purchase_orders(id) ON DELETE CASCADE,
      product_id uuid NOT NULL REFERENCES products(id),
      position integer NOT NULL CHECK (position >= 0),
      quantity integer NOT NULL CONSTRAINT purchase_order_lines_quantity_check CHECK (quantity > 0 AND quantity <= 1000000),
      unit_cost_cents integer NOT NULL CONSTRAINT purchase_order_lines_unit_cost_check CHECK (unit_cost_cents >= 0),
      received_quantity integer NOT NULL DEFAULT 0 CONSTRAINT purchase_order_lines_received_check CHECK (received_quantity >= 0),
      PRIMARY KEY (purchase_order_id, product_id)
    );
    CREATE INDEX purchase_order_lines_product_idx ON purchase_order_lines (product_id);

    CREATE TABLE purchase_receipts (
      id uuid PRIMARY KEY,
      purchase_order_id uuid NOT NULL REFERENCES purchase_orders(id),
      note text CHECK (length(note) <= 500),
      allow_over_receipt boolean NOT NULL DEFAULT false,
      actor_id uuid REFERENCES users(id),
      created_at timestamptz(3) NOT NULL DEFAULT clock_timestamp()
    );
    CREATE INDEX purchase_receipts_order_idx ON purchase_receipts (purchase_order_id, created_at);

    CREATE TABLE purchase_receipt_lines (
      receipt_id uuid NOT NULL REFERENCES purchase_receipts(id) ON DELETE CASCADE,
      product_id uuid NOT NULL REFERENCES products(id),
      quantity integer NOT NULL CHECK (quantity > 0 AND quantity <= 1000000),
      over_received integer NOT NULL DEFAULT 0 CHECK (over_received >= 0 AND over_received <= quantity),
      PRIMARY KEY (receipt_id, product_id)
    );
  `);
}

export async function down({ sequelize }: MigrationContext): Promise<void> {
  await sequelize.query(`
    DROP TABLE purchase_receipt_lines;
    DROP TABLE purchase_receipts;
    DROP TABLE purchase_order_lines;
    DROP TABLE purchase_orders;
    DROP SEQUENCE purchase_order_number_seq;
    DROP INDEX products_incoming_created_idx;
    DROP INDEX products_incoming_sku_idx;
    DROP INDEX products_incoming_name_idx;
    DROP INDEX products_supplier_idx;
    ALTER TABLE products DROP COLUMN incoming, DROP COLUMN reorder_quantity, DROP COLUMN supplier_sku, DROP COLUMN supplier_id;
    DROP TABLE suppliers;
  `);
}
