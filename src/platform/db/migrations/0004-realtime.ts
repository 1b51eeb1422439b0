import type { MigrationContext } from '../migrator';

/**
 * The dispatcher's single state row: locking it makes one dispatcher at a time (across instances)
 * deliver events, in id order; `last_id` is the high-water mark of what has been delivered.
 */
export async function up({ sequelize }: MigrationContext): Promise<void> {
  await sequelize.query(`
    CREATE TABLE event_dispatcher (
      id smallint PRIMARY KEY CHECK (id = 1),
      last_id bigint NOT NULL,
      gap_at bigint,
      gap_since timestamptz,
      updated_at timestamptz NOT NULL DEFAULT now()
    );
    INSERT INTO event_dispatcher (id, last_id)
    SELECT 1, coalesce((SELECT min(id) - 1 FROM events WHERE dispatched_at IS NULL), (SELECT max(id) FROM events), 0);
    CREATE INDEX events_audience_user_idx ON events (audience_user_id, id) WHERE audience_user_id IS NOT NULL;
  `);
}

export async function down({ sequelize }: MigrationContext): Promise<void> {
  await sequelize.query('DROP INDEX events_audience_user_idx; DROP TABLE event_dispatcher;');
}
