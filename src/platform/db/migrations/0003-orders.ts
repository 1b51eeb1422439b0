import type { MigrationContext } from '../migrator';

export async function up({ sequelize }: MigrationContext): Promise<void> {
  await sequelize.query(`
    CREATE SEQUENCE order_number_seq;

    CREATE TABLE orders (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      number text NOT NULL UNIQUE,
      customer_id uuid NOT NULL REFERENCES users(id),
      status text NOT NULL CHECK (status IN ('pending_payment', 'paid', 'in_preparation', 'shipped', 'delivered', 'cancelled')),
      currency text NOT NULL DEFAULT 'EUR',
      net_cents bigint NOT NULL,
      vat_cents bigint NOT NULL,
      gross_cents bigint NOT NULL,
      shipping_address jsonb NOT NULL,
      notes text,
      reserved_until timestamptz,
      created_by uuid NOT NULL REFERENCES users(id),
      created_at timestamptz(3) NOT NULL DEFAULT clock_timestamp(),
      updated_at timestamptz NOT NULL DEFAULT clock_timestamp()
    );
    CREATE INDEX orders_created_idx ON orders (created_at DESC, id DESC);
    CREATE INDEX orders_customer_idx ON orders (customer_id, created_at DESC, id DESC);
    CREATE INDEX orders_status_idx ON orders (status, created_at DESC);
    CREATE INDEX orders_expiry_idx ON orders (reserved_until) WHERE status = 'pending_payment';

    CREATE TABLE order_items (
      order_id uuid NOT NULL REFERENCES orders(id) ON DELETE CASCADE,
      line_no integer NOT NULL,
      product_id uuid NOT NULL REFERENCES products(id),
      sku text NOT NULL,
      name text NOT NULL,
      quantity integer NOT NULL CHECK (quantity > 0),
      unit_price_cents integer NOT NULL,
      vat_rate integer NOT NULL,
      net_cents bigint NOT NULL,
      vat_cents bigint NOT NULL,
      gross_cents bigint NOT NULL,
      PRIMARY KEY (order_id, line_no),
      UNIQUE (order_id, product_id)
    );
    CREATE INDEX order_items_product_idx ON order_items (product_id);

    CREATE TABLE order_status_history (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      order_id uuid NOT NULL REFERENCES orders(id) ON DELETE CASCADE,
      from_status text,
      to_status text NOT NULL,
      actor_id uuid REFERENCES users(id),
      actor_role text NOT NULL,
      reason text,
      at timestamptz NOT NULL DEFAULT clock_timestamp()
    );
    CREATE INDEX order_status_history_order_idx ON order_status_history (order_id, id);

    CREATE TABLE payments (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      order_id uuid NOT NULL REFERENCES orders(id),
      provider text NOT NULL,
      status text NOT NULL CHECK (status IN ('pending', 'captured', 'failed', 'refunded')),
      amount_cents bigint NOT NULL,
      currency text NOT NULL DEFAULT 'EUR',
      reference text,
      provider_payment_id text,
      failure_reason text,
      created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
      updated_at timestamptz NOT NULL DEFAULT clock_timestamp()
    );
    CREATE INDEX payments_order_idx ON payments (order_id);
    CREATE UNIQUE INDEX payments_provider_payment_key ON payments (provider, provider_payment_id) WHERE provider_payment_id IS NOT NULL;

    CREATE TABLE shipments (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      order_id uuid NOT NULL REFERENCES orders(id),
      carrier text NOT NULL,
      carrier_name text NOT NULL,
      tracking_code text NOT NULL,
      tracking_url text,
      label_url text,
      status text NOT NULL CHECK (status IN ('in_transit', 'delivered', 'return_to_sender', 'failure')),
      provider_shipment_id text,
      rate_cents bigint,
      created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
      updated_at timestamptz NOT NULL DEFAULT clock_timestamp()
    );
    CREATE INDEX shipments_order_idx ON shipments (order_id);

    -- Idempotency-Key records, per user and operation, kept 24 h.
    CREATE TABLE idempotency_keys (
      user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      scope text NOT NULL,
      key text NOT NULL,
      request_hash text NOT NULL,
      state text NOT NULL CHECK (state IN ('in_progress', 'completed')),
      response_status integer,
      response_body jsonb,
      locked_at timestamptz NOT NULL DEFAULT now(),
      created_at timestamptz NOT NULL DEFAULT now(),
      expires_at timestamptz NOT NULL,
      PRIMARY KEY (user_id, scope, key)
    );
    CREATE INDEX idempotency_keys_expiry_idx ON idempotency_keys (expires_at);
  `);
}

export async function down({ sequelize }: MigrationContext): Promise<void> {
  await sequelize.query(`
    DROP TABLE idempotency_keys; DROP TABLE shipments; DROP TABLE payments; DROP TABLE order_status_history;
    DROP TABLE order_items; DROP TABLE orders; DROP SEQUENCE order_number_seq;
  `);
}
