import type { MigrationContext } from '../migrator';

/**
 * Returns (issue 28, the RMA half): goods come back, counted by database checks.
 *
 * - `returns`: one document per return, numbered `R-YYYY-NNNNNN` from its own sequence, with its
 *   status (`requested → approved | rejected`, `approved → received → closed`, `requested | approved →
 *   cancelled`). A return the carrier caused (a parcel sent back) names its shipment, at most once
 *   (`source_shipment_id` unique): a webhook delivered twice cannot make two returns.
 * - `return_lines`: per product, units asked for (> 0), received (≤ asked), restocked and scrapped
 *   (restocked + scrapped = received), the unit gross snapshot and the refund proposed for what was
 *   received (`refund_cents`, fixed at receipt: see docs/returns.md).
 * - `order_items.returned_quantity`: units of the line received back, 0 ≤ returned ≤ shipped (its CHECK
 *   is named to sort after the shipped count's own checks: PostgreSQL tests CHECKs by name, so a
 *   negative shipped count still reports `order_items_shipped_quantity_check`).
 * - `order_items.return_held_quantity`: units of the line that open returns (`requested`/`approved`)
 *   ask for and that have not come back yet; returned + held ≤ shipped (its CHECK sorts after the
 *   shipped count's checks too), so a shipment whose units a return holds cannot be cancelled away.
 * - `returns.proposed_cents` (Σ of the lines' `refund_cents`, set at receipt) and `refunded_cents` (Σ of
 *   the refunds naming the return that did not fail, kept by 0016's `quickstock_refunds_balance`
 *   trigger, replaced here to add it) with `refunded_cents ≤ proposed_cents`: no writer pays a return
 *   back beyond what its received units are worth.
 * - Mail: the `return_authorized` template.
 */
export async function up({ sequelize }: MigrationContext): Promise<void> {
  await sequelize.query(`
    CREATE SEQUENCE return_number_seq;

    CREATE TABLE returns (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      number text NOT NULL UNIQUE,
      order_id uuid NOT NULL REFERENCES orders (id),
      order_number text NOT NULL,
      customer_id uuid NOT NULL REFERENCES users (id),
      status text NOT NULL CHECK (status IN ('requested', 'approved', 'rejected', 'received', 'closed', 'cancelled')),
      origin text NOT NULL CHECK (origin IN ('customer', 'staff', 'carrier')),
      note text CHECK (length(note) <= 2000),
      reject_reason text CHECK (length(reject_reason) <= 2000),
      source_shipment_id uuid UNIQUE,
      created_by uuid,
      proposed_cents bigint NOT NULL DEFAULT 0 CHECK (proposed_cents >= 0),
      refunded_cents bigint NOT NULL DEFAULT 0,
      created_at timestamptz(3) NOT NULL DEFAULT clock_timestamp(),
      updated_at timestamptz(3) NOT NULL DEFAULT clock_timestamp(),
      CONSTRAINT returns_refunded_within_proposed CHECK (refunded_cents >= 0 AND refunded_cents <= proposed_cents)
    );
    CREATE INDEX returns_order_idx ON returns (order_id);
    CREATE INDEX returns_list_idx ON returns (created_at DESC, id DESC);
    CREATE INDEX returns_customer_idx ON returns (customer_id, created_at DESC, id DESC);
    CREATE INDEX returns_status_idx ON returns (status, created_at DESC, id DESC);

    CREATE TABLE return_lines (
      return_id uuid NOT NULL REFERENCES returns (id) ON DELETE CASCADE,
      product_id uuid NOT NULL REFERENCES products (id),
      sku text NOT NULL,
      name text NOT NULL,
      quantity integer NOT NULL CHECK (quantity > 0),
      reason text NOT NULL CHECK (reason IN ('damaged', 'wrong_item', 'defective', 'not_needed', 'other')),
      received_quantity integer NOT NULL DEFAULT 0 CHECK (received_quantity >= 0 AND received_quantity <= quantity),
      restocked_quantity integer NOT NULL DEFAULT 0 CHECK (restocked_quantity >= 0),
      scrapped_quantity integer NOT NULL DEFAULT 0 CHECK (scrapped_quantity >= 0),
      unit_gross_cents bigint NOT NULL CHECK (unit_gross_cents >= 0),
      refund_cents bigint NOT NULL DEFAULT 0 CHECK (refund_cents >= 0),
      PRIMARY KEY (return_id, product_id),
      CONSTRAINT return_lines_outcome_is_received CHECK (restocked_quantity + scrapped_quantity = received_quantity)
    );

    ALTER TABLE order_items
      ADD COLUMN returned_quantity integer NOT NULL DEFAULT 0,
      ADD CONSTRAINT order_items_units_returned_within_shipped CHECK (returned_quantity >= 0 AND returned_quantity <= shipped_quantity),
      ADD COLUMN return_held_quantity integer NOT NULL DEFAULT 0,
      ADD CONSTRAINT order_items_units_returns_hold_within_shipped
        CHECK (return_held_quantity >= 0 AND returned_quantity + return_held_quantity <= shipped_quantity);

    -- A refund that pays back a return names it (0017 added the column before returns existed).
    ALTER TABLE refunds ADD CONSTRAINT refunds_return_id_fkey FOREIGN KEY (return_id) REFERENCES returns (id);

    -- What a return's refunds hold, kept by 0016's trigger (now also on return_id): like a payment's.
    CREATE OR REPLACE FUNCTION quickstock_refunds_balance() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.status <> 'failed' THEN
        UPDATE payments SET refunded_cents = refunded_cents - OLD.amount_cents WHERE id = OLD.payment_id;
        IF OLD.return_id IS NOT NULL THEN
          UPDATE returns SET refunded_cents = refunded_cents - OLD.amount_cents WHERE id = OLD.return_id;
        END IF;
      END IF;
      IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.status <> 'failed' THEN
        UPDATE payments SET refunded_cents = refunded_cents + NEW.amount_cents WHERE id = NEW.payment_id;
        IF NEW.return_id IS NOT NULL THEN
          UPDATE returns SET refunded_cents = refunded_cents + NEW.amount_cents WHERE id = NEW.return_id;
        END IF;
      END IF;
      RETURN NULL;
    END $$;
    DROP TRIGGER refunds_balance ON refunds;
    CREATE TRIGGER refunds_balance AFTER INSERT OR DELETE OR UPDATE OF status, amount_cents, payment_id, return_id ON refunds
      FOR EACH ROW EXECUTE FUNCTION quickstock_refunds_balance();

    ALTER TABLE email_messages DROP CONSTRAINT email_messages_template_check,
      ADD CONSTRAINT email_messages_template_check CHECK (template IN (
        'order_confirmed', 'order_shipped', 'order_delivered', 'order_cancelled', 'refund_made', 'return_authorized', 'password_reset', 'password_changed'));
  `);
}

export async function down({ sequelize }: MigrationContext): Promise<void> {
  await sequelize.query(`
    DROP TRIGGER refunds_balance ON refunds;
    CREATE OR REPLACE FUNCTION quickstock_refunds_balance() RETURNS trigger LANGUAGE plpgsql AS $$
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
    DELETE FROM email_messages WHERE template = 'return_authorized';
    ALTER TABLE email_messages DROP CONSTRAINT email_messages_template_check,
      ADD CONSTRAINT email_messages_template_check CHECK (template IN (
        'order_confirmed', 'order_shipped', 'order_delivered', 'order_cancelled', 'refund_made', 'password_reset', 'password_changed'));
    ALTER TABLE order_items DROP CONSTRAINT order_items_units_returns_hold_within_shipped, DROP COLUMN return_held_quantity,
      DROP CONSTRAINT order_items_units_returned_within_shipped, DROP COLUMN returned_quantity;
    ALTER TABLE refunds DROP CONSTRAINT refunds_return_id_fkey;
    DROP TABLE return_lines;
    DROP TABLE returns;
    DROP SEQUENCE return_number_seq;
  `);
}
