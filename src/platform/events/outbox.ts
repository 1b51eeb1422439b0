import { EventEmitter } from 'node:events';
import type { Tx } from '../db/db';
import { sql, sqlOne } from '../db/sql';
import type { DomainEvent, InternalEvent } from './event-types';

/**
 * Emits 'committed' after each transaction that wrote events commits, so this process's dispatcher
 * wakes at once. Not a NOTIFY: PostgreSQL serialises the commits of notifying transactions on one
 * global lock, which the order path cannot afford; other instances need no wake-up, because
 * whichever instance drains delivers every instance's events.
 */
export const outboxSignal = new EventEmitter().setMaxListeners(0);
const signalled = new WeakSet<Tx>();

/**
 * Writes a domain event to the outbox in the caller's transaction, so the event exists exactly
 * when the change it describes does; the dispatcher is woken after the commit (and not before).
 */
export function recordEvent(tx: Tx, event: DomainEvent): Promise<number> {
  return insertEvent(tx, event.type, event.data, true, event.customerId ?? null);
}

/**
 * An instruction to every instance (e.g. "disconnect this user's sockets"), delivered like events.
 * This process also hears it at once, as outboxSignal 'internal', after the commit and before the
 * caller's transaction resolves (so before its HTTP response).
 */
export async function recordInternalEvent(tx: Tx, event: InternalEvent): Promise<number> {
  const id = await insertEvent(tx, event.type, event.data, false, null);
  tx.afterCommit(() => {
    outboxSignal.emit('internal', event);
  });
  return id;
}

/**
 * Several domain events in one statement, ids in the order given (a background pass that publishes
 * many at once keeps its transaction, and the rows it locks, short).
 */
export async function recordEvents(tx: Tx, events: readonly DomainEvent[]): Promise<void> {
  if (events.length === 0) return;
  await sql(
    tx,
    `INSERT INTO events (type, data, audience_staff, audience_user_id)
     SELECT type, data, true, audience_user_id FROM unnest($1::text[], $2::jsonb[], $3::uuid[]) WITH ORDINALITY AS e(type, data, audience_user_id, n) ORDER BY n`,
    [events.map((e) => e.type), events.map((e) => JSON.stringify(e.data)), events.map((e) => e.customerId ?? null)],
  );
  signalAfterCommit(tx);
}

/**
 * `recordEvent` fused into the statement that writes the change the event describes, for a hot path
 * (make bench: order placement, one round trip fewer). Answers the SQL of a data-modifying CTE that
 * inserts one event per row of `from`: its data is the JSON of `params.data` merged with `extra`, a
 * jsonb expression over `from` for what only the statement knows (a new row's id). `params` name the
 * statement's placeholders. The caller then calls `eventRecordedIn(tx)`.
 */
export function recordEventSql(from: string, extra: string, params: { type: string; data: string; audienceUserId: string }): string {
  return `INSERT INTO events (type, data, audience_staff, audience_user_id)
          SELECT ${params.type}::text, ${params.data}::jsonb || ${extra}, true, ${params.audienceUserId}::uuid FROM ${from}`;
}

/** After a statement built with `recordEventSql` ran in `tx`: the dispatcher wakes after the commit. */
export function eventRecordedIn(tx: Tx): void {
  signalAfterCommit(tx);
}

async function insertEvent(tx: Tx, type: string, data: object, audienceStaff: boolean, audienceUserId: string | null): Promise<number> {
  // Raw SQL on the hot path (make bench: the outbox insert rides every order placement).
  const row = await sqlOne<{ id: string }>(
    tx,
    'INSERT INTO events (type, data, audience_staff, audience_user_id) VALUES ($1, $2::jsonb, $3, $4) RETURNING id',
    [type, JSON.stringify(data), audienceStaff, audienceUserId],
  );
  signalAfterCommit(tx);
  return Number(row?.id);
}

function signalAfterCommit(tx: Tx): void {
  if (signalled.has(tx)) return;
  signalled.add(tx);
  tx.afterCommit(() => {
    outboxSignal.emit('committed');
  });
}
