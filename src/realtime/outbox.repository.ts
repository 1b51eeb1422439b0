import { Op, literal, type WhereOptions } from 'sequelize';
import type { DbTarget, Tx } from '../platform/db/db';
import { sql, sqlOne } from '../platform/db/sql';
import { EventModel, type StoredEvent } from '../platform/events';

/** An outbox event as realtime reads it (the dispatcher delivers it, the feed replays it). */
export type EventRecord = StoredEvent;

/** The dispatcher's cursor: the last id it passed, and the hole it waits at (bigints as text). */
export interface DispatcherRecord {
  lastId: string;
  gapAt: string | null;
  /** How long it has waited at `gapAt`, by the database's clock. */
  gapAgeMs: number | null;
}

/** An `events` row as the dispatcher's raw statement returns it. */
interface EventRow {
  id: string;
  type: string;
  occurred_at: Date;
  data: unknown;
  audience_staff: boolean;
  audience_user_id: string | null;
}

interface DispatcherRow {
  last_id: string;
  gap_at: string | null;
  gap_age_ms: number | null;
}

function toEventRecord(row: EventRow): EventRecord {
  return {
    id: Number(row.id),
    type: row.type,
    occurredAt: row.occurred_at,
    data: row.data,
    audienceStaff: row.audience_staff,
    audienceUserId: row.audience_user_id,
  };
}

/** The replays' model instances (camelCase already; the bigint id as text). */
function fromModel(e: EventModel): EventRecord {
  return { id: Number(e.id), type: e.type, occurredAt: e.occurredAt, data: e.data, audienceStaff: e.audienceStaff, audienceUserId: e.audienceUserId };
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

/**
 * The read side of the outbox (`events`, co-owned with platform/events which writes it) and the
 * dispatcher's state row (`event_dispatcher`): the only SQL realtime runs. The dispatcher's
 * statements are raw: they are the dispatch hot path (every committed event passes through them)
 * and use what the models cannot say (SKIP LOCKED, KEY SHARE, one statement marking both tables).
 * The replays a reconnecting client asks for go through the model.
 */
export const outboxRepository = {
  /** The dispatcher's row, locked; undefined while another instance drains. Raw: SKIP LOCKED, gap age computed in SQL. */
  async lockDispatcher(tx: Tx): Promise<DispatcherRecord | undefined> {
    const row = await sqlOne<DispatcherRow>(
      tx,
      `SELECT last_id, gap_at, (extract(epoch FROM now() - gap_since) * 1000)::float8 AS gap_age_ms
         FROM event_dispatcher WHERE id = 1 FOR UPDATE SKIP LOCKED`,
    );
    return row && { lastId: row.last_id, gapAt: row.gap_at, gapAgeMs: row.gap_age_ms };
  },

  /** Whether no drain holds the dispatcher row right now (a KEY SHARE probe that never waits). Raw: FOR KEY SHARE SKIP LOCKED. */
  async dispatcherIsFree(db: DbTarget): Promise<boolean> {
    return (await sql(db, 'SELECT 1 FROM event_dispatcher WHERE id = 1 FOR KEY SHARE SKIP LOCKED')).length > 0;
  },

  /** Raw: the dispatch hot path, FOR UPDATE SKIP LOCKED. */
  async undispatched(tx: Tx, limit: number): Promise<EventRecord[]> {
    const rows = await sql<EventRow>(tx, `SELECT ${COLUMNS} FROM events WHERE dispatched_at IS NULL ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED`, [limit]);
    return rows.map(toEventRecord);
  },

  /** Raw: the dispatch hot path, the events and the dispatcher's cursor marked in one statement. */
  async markDispatched(tx: Tx, ids: readonly number[], lastId: number, gapAt: number | null): Promise<void> {
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
  async recentDispatched(audience: Audience, afterId: number, hours: number, limit: number): Promise<EventRecord[]> {
    const where = { ...visibleAfter(audience, afterId), occurredAt: { [Op.gt]: literal(`now() - make_interval(hours => ${Math.trunc(hours)})`) } };
    const rows = await EventModel.findAll({ attributes: EVENT_ATTRIBUTES, where, order: [['id', 'DESC']], limit });
    return rows.reverse().map(fromModel);
  },

  /** Dispatched events after `afterId`, oldest first. */
  async dispatchedAfter(audience: Audience, afterId: number, limit: number): Promise<EventRecord[]> {
    const rows = await EventModel.findAll({ attributes: EVENT_ATTRIBUTES, where: visibleAfter(audience, afterId), order: [['id', 'ASC']], limit });
    return rows.map(fromModel);
  },
};
