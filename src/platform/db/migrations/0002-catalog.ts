import type { MigrationContext } from '../migrator';

export async function up({ sequelize }: MigrationContext): Promise<void> {
  await sequelize.query(`
    CREATE TABLE products (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      sku text NOT NULL,
      name text NOT NULL,
      description text,
      category text,
      unit_price_cents integer NOT NULL CHECK (unit_price_cents >= 0),
      vat_rate integer NOT NULL DEFAULT 22 CHECK (vat_rate IN (0, 4, 5, 10, 22)),
      reorder_level integer NOT NULL DEFAULT 0 CHECK (reorder_level >= 0),
      active boolean NOT NULL DEFAULT true,
      on_hand integer NOT NULL DEFAULT 0 CHECK (on_hand >= 0),
      reserved integer NOT NULL DEFAULT 0 CHECK (reserved >= 0),
      version integer NOT NULL DEFAULT 1,
      -- millisecond precision: keyset cursors carry created_at as an ISO (millisecond) timestamp
      created_at timestamptz(3) NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      -- the database itself refuses an oversold product, whatever the code above it does
      CONSTRAINT products_reserved_within_on_hand CHECK (reserved <= on_hand)
    );
    CREATE UNIQUE INDEX products_sku_lower_key ON products (lower(sku));
    CREATE INDEX products_name_idx ON products (lower(name), id);
    CREATE INDEX products_created_at_idx ON products (created_at, id);
    CREATE INDEX products_category_idx ON products (category);

    CREATE TABLE stock_movements (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      seq bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
      product_id uuid NOT NULL REFERENCES products(id) ON DELETE CASCADE,
      type text NOT NULL CHECK (type IN ('receipt', 'adjustment', 'count', 'damage', 'return', 'sale')),
      delta integer NOT NULL CHECK (delta <> 0),
      on_hand_after integer NOT NULL CHECK (on_hand_after >= 0),
      reason text,
      actor_id uuid REFERENCES users(id),
      order_id uuid,
      created_at timestamptz NOT NULL DEFAULT clock_timestamp()
    );
    CREATE INDEX stock_movements_product_idx ON stock_movements (product_id, seq DESC);
  `);
}

export async function down({ sequelize }: MigrationContext): Promise<void> {
  await sequelize.query('DROP TABLE stock_movements; DROP TABLE products;');
}
