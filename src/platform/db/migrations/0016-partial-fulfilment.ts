import type { MigrationContext } from '../migrator';

/**
 * Partial fulfilment (issue 27): every unit counted by a database check.
 *
 * - `order_items.shipped_quantity` / `cancelled_quantity`, each ≥ 0 and together never above the
 *   line's quantity, whatever code writes them. Orders already shipped or delivered count every
 *   unit shipped, cancelled ones every unit cancelled, so "still to ship" is
 *   `quantity - shipped - cancelled` for every order, old or new.
 * - `shipment_lines`: what each shipment holds (quantity > 0), one row per product; an existing
 *   shipment held its whole order. A shipment may now be `cancelled`; an EasyPost shipment id is
 *   recorded once (a duplicate purchase can never be filed as a second shipment).
 * - Orders may be `partially_shipped`.
 * - Refunds: several per payment (the one-per-payment UNIQUE goes), each with an amount > 0.
 *   `payments.refunded_cents` is the sum of the payment's refunds that did not fail, kept by a
 *   trigger on `refunds` (so no writer can forget it) and bounded by a CHECK to `amount_cents`: an
 *   insert that would refund more than was captured fails in the database, under the payment's row
 *   lock that the trigger's UPDATE takes. A refund that fails gives its amount back. Payments may be
 *   `partially_refunded`.
 */
export async function up({ sequelize }: MigrationContext): Promise<void> {
  await sequelize.query(`
    ALTER TABLE orders DROP CONSTRAINT orders_status_check,
      ADD CONSTRAINT orders_status_check
        CHECK (status IN ('pending_payment', 'paid', 'in_preparation', 'partially_shipped', 'shipped', 'delivered', 'cancelled'));

    ALTER TABLE order_items
      ADD COLUMN shipped_quantity integer NOT NULL DEFAULT 0 CONSTRAINT order_items_shipped_quantity_check CHECK (shipped_quantity >= 0),
      ADD COLUMN cancelled_quantity integer NOT NULL DEFAULT 0 CONSTRAINT order_items_cancelled_quantity_check CHECK (cancelled_quantity >= 0);
    UPDATE order_items i SET shipped_quantity = i.quantity FROM orders o WHERE o.id = i.order_id AND o.status IN ('shipped', 'delivered');
    UPDATE order_items i SET cancelled_quantity = i.quantity FROM orders o WHERE o.id = i.order_id AND o.status = 'cancelled';
    ALTER TABLE order_items ADD CONSTRAINT order_items_fulfilled_within_quantity CHECK (shipped_quantity + cancelled_quantity <= quantity);

    ALTER TABLE shipments DROP CONSTRAINT shipments_status_check,
      ADD CONSTRAINT shipments_status_check CHECK (status IN ('in_transit', 'delivered', 'return_to_sender', 'failure', 'cancelled'));
    CREATE UNIQUE INDEX shipments_provider_shipment_key ON shipments (carrier, provider_shipment_id) WHERE provider_shipment_id IS NOT NULL;
    DROP INDEX shipments_provider_idx;

    CREATE TABLE shipment_lines (
      shipment_id uuid NOT NULL REFERENCES shipments(id) ON DELETE CASCADE,
      product_id uuid NOT NULL REFERENCES products(id),
      quantity integer NOT NULL CHECK (quantity > 0),
      PRIMARY KEY (shipment_id, product_id)
    );
    INSERT INTO shipment_lines (shipment_id, product_id, quantity)
      SELECT s.id, i.product_id, i.quantity FROM shipments s JOIN order_items i ON i.order_id = s.order_id;

    ALTER TABLE payments DROP CONSTRAINT payments_status_check,
      ADD CONSTRAINT payments_status_check CHECK (status IN ('pending', 'captured', 'partially_refunded', 'refunded', 'failed')),
      ADD COLUMN refunded_cents bigint NOT NULL DEFAULT 0;
    UPDATE payments p SET refunded_cents = r.total
      FROM (SELECT payment_id, sum(amount_cents) AS total FROM refunds WHERE status <> 'failed' GROUP BY payment_id) r
     WHERE r.payment_id = p.id;
    UPDATE payments SET refunded_cents = amount_cents WHERE status = 'refunded';
    ALTER TABLE payments ADD CONSTRAINT payments_refunded_within_amount CHECK (refunded_cents >= 0 AND refunded_cents <= amount_cents);

    ALTER TABLE refunds DROP CONSTRAINT refunds_payment_id_key,
      ADD CONSTRAINT refunds_amount_positive CHECK (amount_cents > 0);
    CREATE INDEX refunds_payment_idx ON refunds (payment_id);

    CREATE FUNCTION quickstock_refunds_balance() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.status <> 'failed' THEN
        UPDATE payments SET refunded_cents = refunded_cents - OLD.amount_cents WHERE id = OLD.payment_id;
      END IF;
      IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.status <> 'failed' THEN
        UPDATE payments SET refunded_cents = refunded_cents + NEW.amount_cents WHERE id = NEW.payment_id;
      END IF;
      RETURN NULL;
    END $$;
    CREATE TRIGGER refunds_balance AFTER INSERT OR DELETE OR UPDATE OF status, amount_cents, payment_id ON refunds
      FOR EACH ROW EXECUTE FUNCTION quickstock_refunds_balance();
  `);
}

export async function down({ sequelize }: MigrationContext): Promise<void> {
  await sequelize.query(`
    DROP TRIGGER refunds_balance ON refunds;
    DROP FUNCTION quickstock_refunds_balance();
    DROP INDEX refunds_payment_idx;
    ALTER TABLE refunds DROP CONSTRAINT refunds_amount_positive, ADD CONSTRAINT refunds_payment_id_key UNIQUE (payment_id);
    ALTER TABLE payments DROP CONSTRAINT payments_refunded_within_amount, DROP COLUMN refunded_cents;
    UPDATE payments SET status = 'captured' WHERE status = 'partially_refunded';
    ALTER TABLE payments DROP CONSTRAINT payments_status_check,
      ADD CONSTRAINT payments_status_check CHECK (status IN ('pending', 'captured', 'failed', 'refunded'));
    DROP TABLE shipment_lines;
    CREATE INDEX shipments_provider_idx ON shipments (carrier, provider_shipment_id) WHERE provider_shipment_id IS NOT NULL;
    DROP INDEX shipments_provider_shipment_key;
    ALTER TABLE shipments DROP CONSTRAINT shipments_status_check,
      ADD CONSTRAINT shipments_status_check CHECK (status IN ('in_transit', 'delivered', 'return_to_sender', 'failure'));
    ALTER TABLE order_items DROP CONSTRAINT order_items_fulfilled_within_quantity, DROP COLUMN cancelled_quantity, DROP COLUMN shipped_quantity;
    ALTER TABLE orders DROP CONSTRAINT orders_status_check,
      ADD CONSTRAINT orders_status_check CHECK (status IN ('pending_payment', 'paid', 'in_preparation', 'shipped', 'delivered', 'cancelled'));
  `);
}
