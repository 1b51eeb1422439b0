import type { Sequelize } from 'sequelize-typescript';
import type { Transaction } from 'sequelize';
import { sql, sqlOne } from '../platform/db/sql';

/** An outbox row as realtime reads it. */
export interface EventRow {
  id: string;
  type: string;
  occurred_at: Date;
  data: unknown;
  audience_staff: boolean;
  audience_user_id: string | null;
}

export interface DispatcherState {
  last_id: string;
  gap_at: string | null;
  gap_age_ms: number | null;
}

/** Whose events a reader may see: staff see every client event; a customer, those addressed to it. */
export type Audience = { staff: true } | { staff: false; userId: string };

const COLUMNS = 'id, type, occurred_at, data, audience_staff, audience_user_id';

/** Internal events have neither audience, so they never match. `$1` is the user id when not staff. */
function audienceFilter(audience: Audience): { sql: string; values: unknown[] } {
  return audience.staff ? { sql: 'audience_staff', values: [] } : { sql: 'audience_user_id = $1', values: [audience.userId] };
}

/**
 * The read side of the outbox (`events`, co-owned with platform/events which writes it) and the
 * dispatcher's state row (`event_dispatcher`): the only SQL realtime runs.
 */
export const outboxRepository = {
  /** The dispatcher's row, locked; undefined while another instance drains. */
  lockDispatcher(tx: Transaction): Promise<DispatcherState | undefined> {
    return sqlOne<DispatcherState>(
      tx,
      `SELECT last_id, gap_at, (extract(epoch FROM now() - gap_since) * 1000)::float8 AS gap_age_ms
         FROM event_dispatcher WHERE id = 1 FOR UPDATE SKIP LOCKED`,
    );
  },

  /** Whether no drain holds the dispatcher row right now (a KEY SHARE probe that never waits). */
  async dispatcherIsFree(db: Sequelize): Promise<boolean> {
    return (await sql(db, 'SELECT 1 FROM event_dispatcher WHERE id = 1 FOR KEY SHARE SKIP LOCKED')).length > 0;
  },

  undispatched(tx: Transaction, limit: number): Promise<EventRow[]> {
    return sql<EventRow>(tx, `SELECT ${COLUMNS} FROM events WHERE dispatched_at IS NULL ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED`, [limit]);
  },

  async markDispatched(tx: Transaction, ids: readonly number[], lastId: number, gapAt: number | null): Promise<void> {
    await sql(
      tx,
      `WITH marked AS (UPDATE events SET dispatched_at = now() WHERE id = ANY($1::bigint[]))
       UPDATE event_dispatcher
          SET last_id = $2, updated_at = now(), gap_at = $3::bigint,
              gap_since = CASE WHEN $3::bigint IS NULL THEN NULL
                               WHEN gap_at = $3::bigint THEN gap_since ELSE now() END
        WHERE id = 1`,
      [ids, lastId, gapAt],
    );
  },

  /** The most recent `limit` dispatched events after `afterId` within the retention, oldest first. */
  recentDispatched(db: Sequelize, audience: Audience, afterId: number, hours: number, limit: number): Promise<EventRow[]> {
    const filter = audienceFilter(audience);
    const n = filter.values.length;
    return sql<EventRow>(
      db,
      `SELECT * FROM (
         SELECT ${COLUMNS} FROM events
          WHERE id > $${n + 1} AND dispatched_at IS NOT NULL AND ${filter.sql}
            AND occurred_at > now() - make_interval(hours => $${n + 2})
          ORDER BY id DESC LIMIT $${n + 3}) recent
        ORDER BY id`,
      [...filter.values, afterId, hours, limit],
    );
  },

  /** Dispatched events after `afterId`, oldest first. */
  dispatchedAfter(db: Sequelize, audience: Audience, afterId: number, limit: number): Promise<EventRow[]> {
    const filter = audienceFilter(audience);
    const n = filter.values.length;
    return sql<EventRow>(
      db,
      `SELECT ${COLUMNS} FROM events WHERE id > $${n + 1} AND dispatched_at IS NOT NULL AND ${filter.sql} ORDER BY id LIMIT $${n + 2}`,
      [...filter.values, afterId, limit],
    );
  },
};
