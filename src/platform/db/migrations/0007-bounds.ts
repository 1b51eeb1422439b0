import type { MigrationContext } from '../migrator';

/**
 * Bounds the stock figures where the contract bounds them (1,000,000,000), well inside a 4-byte
 * integer: repeated receipts can no longer overflow `on_hand` (which answered 500); they meet a
 * check constraint, translated to a 409 problem in the one database-error mapping. Stored links are
 * web links only (the service checks https: in production before). NOT VALID: rows
 * written before are not re-checked, so the migration cannot fail on old data.
 */
export async function up({ sequelize }: MigrationContext): Promise<void> {
  await sequelize.query(`
    ALTER TABLE products
      ADD CONSTRAINT products_on_hand_max CHECK (on_hand <= 1000000000) NOT VALID,
      ADD CONSTRAINT products_reorder_level_max CHECK (reorder_level <= 1000000000) NOT VALID,
      ADD CONSTRAINT products_unit_price_max CHECK (unit_price_cents <= 100000000) NOT VALID;
    ALTER TABLE stock_movements
      ADD CONSTRAINT stock_movements_on_hand_after_max CHECK (on_hand_after <= 1000000000) NOT VALID;
    ALTER TABLE shipments
      ADD CONSTRAINT shipments_tracking_url_web CHECK (tracking_url ~* '^https?://') NOT VALID,
      ADD CONSTRAINT shipments_label_url_web CHECK (label_url ~* '^https?://') NOT VALID;
  `);
}

export async function down({ sequelize }: MigrationContext): Promise<void> {
  await sequelize.query(`
    ALTER TABLE shipments DROP CONSTRAINT shipments_label_url_web, DROP CONSTRAINT shipments_tracking_url_web;
    ALTER TABLE stock_movements DROP CONSTRAINT stock_movements_on_hand_after_max;
    ALTER TABLE products
      DROP CONSTRAINT products_unit_price_max,
      DROP CONSTRAINT products_reorder_level_max,
      DROP CONSTRAINT products_on_hand_max;
  `);
}
