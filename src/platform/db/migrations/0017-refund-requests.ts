import type { MigrationContext } from '../migrator';

/**
 * Refunds asked for by staff (issue 28): each refund says why (`reason`, 1–500 characters; the
 * refunds recorded so far all came from a cancel, so they read 'ordine annullato'), which return it
 * pays back, if any (`return_id`: no foreign key yet — the returns table is another module's and is
 * linked when both exist), and who asked (`requested_by`, null for the service's own refunds).
 * `refunds_return_idx` serves the sum of what a return got back.
 */
export async function up({ sequelize }: MigrationContext): Promise<void> {
  await sequelize.query(`
    ALTER TABLE refunds
      ADD COLUMN reason text,
      ADD COLUMN return_id uuid,
      ADD COLUMN requested_by uuid REFERENCES users(id);
    UPDATE refunds SET reason = 'ordine annullato' WHERE reason IS NULL;
    ALTER TABLE refunds ALTER COLUMN reason SET NOT NULL,
      ADD CONSTRAINT refunds_reason_length CHECK (char_length(reason) BETWEEN 1 AND 500);
    CREATE INDEX refunds_return_idx ON refunds (return_id) WHERE return_id IS NOT NULL;
  `);
}

export async function down({ sequelize }: MigrationContext): Promise<void> {
  await sequelize.query(`
    DROP INDEX refunds_return_idx;
    ALTER TABLE refunds DROP COLUMN requested_by, DROP COLUMN return_id, DROP COLUMN reason;
  `);
}
