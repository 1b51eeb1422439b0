import type { MigrationContext } from '../migrator';

/**
 * Outgoing webhooks (issue 19). Subscriptions keep their signing secrets encrypted (AES-256-GCM,
 * WEBHOOK_SECRETS_KEY). Each committed event fans out to one delivery per matching subscription:
 * UNIQUE (subscription_id, event_id) makes the fan-out idempotent, so an event seen twice (a late
 * commit, a retried pass) still gives one delivery. The fan-out cursor is one row, locked by the
 * instance that advances it: `last_id` is the highest event id scanned, `gaps` the ids below it that
 * were not visible yet (a transaction still open) with when they were first missed.
 */
export async function up({ sequelize }: MigrationContext): Promise<void> {
  await sequelize.query(`
    CREATE TABLE webhook_subscriptions (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      url text NOT NULL,
      description text,
      event_types jsonb NOT NULL,
      enabled boolean NOT NULL DEFAULT true,
      disabled_reason text,
      secret_ciphertext text NOT NULL,
      previous_secret_ciphertext text,
      previous_secret_expires_at timestamptz,
      failing_since timestamptz,
      last_success_at timestamptz,
      last_failure_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    );

    CREATE TABLE webhook_deliveries (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      subscription_id uuid NOT NULL REFERENCES webhook_subscriptions (id) ON DELETE CASCADE,
      message_id text NOT NULL UNIQUE,
      event_id bigint,
      event_type text NOT NULL,
      body text NOT NULL,
      status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'succeeded', 'failed')),
      attempt_count integer NOT NULL DEFAULT 0,
      next_attempt_at timestamptz,
      claimed_until timestamptz,
      last_attempt_at timestamptz,
      last_status_code integer,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (subscription_id, event_id)
    );
    CREATE INDEX webhook_deliveries_due_idx ON webhook_deliveries (next_attempt_at) WHERE status = 'pending';
    CREATE INDEX webhook_deliveries_log_idx ON webhook_deliveries (subscription_id, created_at DESC, id DESC);
    CREATE INDEX webhook_deliveries_created_idx ON webhook_deliveries (created_at);
    CREATE INDEX webhook_deliveries_claimed_idx ON webhook_deliveries (claimed_until) WHERE claimed_until IS NOT NULL;

    CREATE TABLE webhook_delivery_attempts (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      delivery_id uuid NOT NULL REFERENCES webhook_deliveries (id) ON DELETE CASCADE,
      attempted_at timestamptz NOT NULL,
      duration_ms integer NOT NULL,
      status_code integer,
      error_kind text,
      response_body text,
      request_headers jsonb NOT NULL,
      manual boolean NOT NULL DEFAULT false
    );
    CREATE INDEX webhook_delivery_attempts_delivery_idx ON webhook_delivery_attempts (delivery_id, attempted_at);

    CREATE TABLE webhook_fanout_cursor (
      id smallint PRIMARY KEY CHECK (id = 1),
      last_id bigint NOT NULL,
      gaps jsonb NOT NULL DEFAULT '[]',
      updated_at timestamptz NOT NULL DEFAULT now()
    );
    INSERT INTO webhook_fanout_cursor (id, last_id) SELECT 1, coalesce((SELECT max(id) FROM events), 0);
  `);
}

export async function down({ sequelize }: MigrationContext): Promise<void> {
  await sequelize.query('DROP TABLE webhook_fanout_cursor, webhook_delivery_attempts, webhook_deliveries, webhook_subscriptions;');
}
