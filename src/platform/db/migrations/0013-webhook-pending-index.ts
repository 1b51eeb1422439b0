import type { MigrationContext } from '../migrator';

/**
 * The delivery worker claims each enabled subscription's own oldest due deliveries (a few index
 * entries per subscription), instead of the N most overdue of all subscriptions together: a
 * subscription whose receiver hangs with thousands of deliveries due can no longer fill that window
 * and starve the others, and a claim no longer reads a thousand rows under a backlog.
 * `webhook_deliveries_due_idx` (next_attempt_at alone) served only the old claim.
 */
export async function up({ sequelize }: MigrationContext): Promise<void> {
  await sequelize.query(`
    CREATE INDEX webhook_deliveries_pending_idx ON webhook_deliveries (subscription_id, next_attempt_at, id) WHERE status = 'pending';
    DROP INDEX webhook_deliveries_due_idx;
  `);
}

export async function down({ sequelize }: MigrationContext): Promise<void> {
  await sequelize.query(`
    CREATE INDEX webhook_deliveries_due_idx ON webhook_deliveries (next_attempt_at) WHERE status = 'pending';
    DROP INDEX webhook_deliveries_pending_idx;
  `);
}
