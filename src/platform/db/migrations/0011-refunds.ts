import type { MigrationContext } from '../migrator';

/**
 * Refunds as rows of their own: the cancel that decides a refund records it (`pending`) in its own
 * transaction, and the provider is called after the commit, by the request and, should that fail
 * or the process die, by a background loop (`next_attempt_at`, with backoff). The row's id is the
 * provider's idempotency key, so however often it is retried the money goes back once. One refund
 * per payment (the whole captured amount).
 */
export async function up({ sequelize }: MigrationContext): Promise<void> {
  await sequelize.query(`
    CREATE TABLE refunds (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      payment_id uuid NOT NULL UNIQUE REFERENCES payments(id),
      customer_id uuid NOT NULL REFERENCES users(id),
      amount_cents bigint NOT NULL,
      status text NOT NULL CHECK (status IN ('pending', 'succeeded', 'failed')),
      attempts integer NOT NULL DEFAULT 0,
      next_attempt_at timestamptz NOT NULL DEFAULT clock_timestamp(),
      last_error text,
      created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
      updated_at timestamptz NOT NULL DEFAULT clock_timestamp()
    );
    CREATE INDEX refunds_due_idx ON refunds (next_attempt_at) WHERE status = 'pending';
  `);
}

export async function down({ sequelize }: MigrationContext): Promise<void> {
  await sequelize.query('DROP TABLE refunds');
}
