import type { MigrationContext } from '../migrator';

/**
 * The live stock figures (`inventory.stock_changed`). Every statement that changes a product's
 * `on_hand` or `reserved` also marks the product in `stock_change_marks`, in the same transaction
 * (an insert that does nothing while the mark is already there, so a burst on one product writes one
 * mark); a once-per-second pass, serialised across instances by the single `stock_change_pass` row,
 * turns the marks into events with the figures of that moment and deletes them in one transaction.
 */
export async function up({ sequelize }: MigrationContext): Promise<void> {
  await sequelize.query(`
    CREATE TABLE stock_change_marks (
      product_id uuid PRIMARY KEY,
      marked_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE TABLE stock_change_pass (
      id smallint PRIMARY KEY CHECK (id = 1),
      published_at timestamptz NOT NULL
    );
    INSERT INTO stock_change_pass (id, published_at) VALUES (1, now() - interval '1 hour');
  `);
}

export async function down({ sequelize }: MigrationContext): Promise<void> {
  await sequelize.query('DROP TABLE stock_change_pass; DROP TABLE stock_change_marks;');
}
