import type { ModulePurge } from '../background/module-purge';
import type { Db } from '../db/db';
import { sql } from '../db/sql';

/**
 * Deletes at most `batch` dispatched events older than `retentionHours` (never one still waiting for
 * the dispatcher; SKIP LOCKED: safe on every instance at once); answers how many.
 */
async function purgeDispatchedBefore(db: Db, retentionHours: number, batch: number): Promise<number> {
  const rows = await sql(
    db,
    `DELETE FROM events WHERE id IN (
       SELECT id FROM events WHERE dispatched_at IS NOT NULL AND occurred_at < now() - make_interval(hours => $1::int)
        LIMIT $2 FOR UPDATE SKIP LOCKED) RETURNING 1`,
    [Math.floor(retentionHours), batch],
  );
  return rows.length;
}

/** The outbox's purge for the housekeeper: dispatched events past the replay retention (EVENT_RETENTION_HOURS). */
export function eventPurge(db: Db, retentionHours: number): ModulePurge {
  return { what: 'events', run: (batch) => purgeDispatchedBefore(db, retentionHours, batch) };
}
