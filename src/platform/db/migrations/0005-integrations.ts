import type { MigrationContext } from '../migrator';

/**
 * Payment and carrier integrations: every inbound provider event is stored once under its id
 * (UNIQUE), in the same transaction as its effect, so a redelivered webhook acts once; shipments
 * remember what was bought and the carrier's latest tracking status.
 */
export async function up({ sequelize }: MigrationContext): Promise<void> {
  await sequelize.query(`
    CREATE TABLE provider_events (
      provider text NOT NULL,
      event_id text NOT NULL,
      type text NOT NULL,
      received_at timestamptz NOT NULL DEFAULT clock_timestamp(),
      payload jsonb NOT NULL,
      processed_at timestamptz,
      outcome text,
      PRIMARY KEY (provider, event_id)
    );
    CREATE INDEX provider_events_received_idx ON provider_events (received_at);

    ALTER TABLE shipments
      ADD COLUMN service text,
      ADD COLUMN rate_currency text,
      ADD COLUMN tracking_status text;
    CREATE INDEX shipments_provider_idx ON shipments (carrier, provider_shipment_id) WHERE provider_shipment_id IS NOT NULL;
    CREATE INDEX shipments_tracking_idx ON shipments (carrier, tracking_code);
  `);
}

export async function down({ sequelize }: MigrationContext): Promise<void> {
  await sequelize.query(`
    DROP INDEX shipments_tracking_idx; DROP INDEX shipments_provider_idx;
    ALTER TABLE shipments DROP COLUMN tracking_status, DROP COLUMN rate_currency, DROP COLUMN service;
    DROP TABLE provider_events;
  `);
}
