import type { Sequelize } from 'sequelize-typescript';
import { Op, literal, type Transaction, type WhereOptions } from 'sequelize';
import { sql, sqlOne } from '../platform/db/sql';
import { EventModel } from '../platform/events';

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

/** Dispatched events after `afterId` a reader may see; internal events have neither audience, so they never match. */
function visibleAfter(audience: Audience, afterId: number): WhereOptions<EventModel> {
  const who = audience.staff ? { audienceStaff: true } : { audienceUserId: audience.userId };
  return { id: { [Op.gt]: afterId }, dispatchedAt: { [Op.ne]: null }, ...who };
}

const EVENT_ATTRIBUTES = ['id', 'type', 'occurredAt', 'data', 'audienceStaff', 'audienceUserId'];

function toEventRow(e: EventModel): EventRow {
  return { id: e.id, type: e.type, occurred_at: e.occurredAt, data: e.data, audience_staff: e.audienceStaff, audience_user_id: e.audienceUserId };
}

/**
 * The read side of the outbox (`events`, co-owned with platform/events which writes it) and the
 * dispatcher's state row (`event_dispatcher`): the only SQL realtime runs. The dispatcher's
 * statements are raw: they are the dispatch hot path (every committed event passes through them)
 * and use what the models cannot say (SKIP LOCKED, KEY SHARE, one statement marking both tables).
 * The replays a reconnecting client asks for go through the model.
 */
export const outboxRepository = {
  /** The dispatcher's row, locked; undefined while another instance drains. Raw: SKIP LOCKED, gap age computed in SQL. */
  lockDispatcher(tx: Transaction): Promise<DispatcherState | undefined> {
    return sqlOne<DispatcherState>(
      tx,
      `SELECT last_id, gap_at, (extract(epoch FROM now() - gap_since) * 1000)::float8 AS gap_age_ms
         FROM event_dispatcher WHERE id = 1 FOR UPDATE SKIP LOCKED`,
    );
  },

  /** Whether no drain holds the dispatcher row right now (a KEY SHARE probe that never waits). Raw: FOR KEY SHARE SKIP LOCKED. */
  async dispatcherIsFree(db: Sequelize): Promise<boolean> {
    return (await sql(db, 'SELECT 1 FROM event_dispatcher WHERE id = 1 FOR KEY SHARE SKIP LOCKED')).length > 0;
  },

  /** Raw: the dispatch hot path, FOR UPDATE SKIP LOCKED. */
  undispatched(tx: Transaction, limit: number): Promise<EventRow[]> {
    return sql<EventRow>(tx, `SELECT ${COLUMNS} FROM events WHERE dispatched_at IS NULL ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED`, [limit]);
  },

  /** Raw: the dispatch hot path, the events and the dispatcher's cursor marked in one statement. */
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
  async recentDispatched(audience: Audience, afterId: number, hours: number, limit: number): Promise<EventRow[]> {
    const where = { ...visibleAfter(audience, afterId), occurredAt: { [Op.gt]: literal(`now() - make_interval(hours => ${Math.trunc(hours)})`) } };
    const rows = await EventModel.findAll({ attributes: EVENT_ATTRIBUTES, where, order: [['id', 'DESC']], limit });
    return rows.reverse().map(toEventRow);
  },

  /** Dispatched events after `afterId`, oldest first. */
  async dispatchedAfter(audience: Audience, afterId: number, limit: number): Promise<EventRow[]> {
    const rows = await EventModel.findAll({ attributes: EVENT_ATTRIBUTES, where: visibleAfter(audience, afterId), order: [['id', 'ASC']], limit });
    return rows.map(toEventRow);
  },
};
