import type { Logger } from 'pino';
import { BackgroundLoop } from '../background/background-loop';
import type { Tx } from '../db/db';
import { sql } from '../db/sql';
import { outboxSignal } from './outbox';
import { decodeStoredEvent, type QuickStockEvent } from './event-types';

/**
 * A reader's own position over the outbox (the webhook fan-out's, the mail fan-out's): every event id
 * up to `lastId` was scanned, except `gaps` (id, first missed at, ms). Each reader keeps it in a
 * one-row table of its own, locked while a pass runs and saved in the pass's transaction, so what a
 * pass writes and the cursor move together.
 */
export interface CursorState {
  lastId: number;
  gaps: [number, number][];
}

/** More missing ids than this at once are not tracked (a sequence jump, not open transactions). */
export const MAX_GAPS = 10_000;
/** How long an event id missing below the cursor is looked for (a transaction that stays open longer is missed). */
export const GAP_WAIT_MS = 10 * 60_000;

/**
 * Event ids come from a sequence at insert, so a transaction holding id 7 may commit after the one
 * holding 8: a cursor that only remembered "scanned up to 8" would never see 7. This one remembers
 * each id it has not seen below its high-water mark (a gap) and looks for it again on every pass,
 * until it shows up or `gapWaitMs` passes (then it was rolled back, or never used). `ids` are the
 * ids just read (ascending): new ones above `lastId` and gaps that have now committed.
 */
export function advanceCursor(state: CursorState, ids: readonly number[], now: number, gapWaitMs: number): { next: CursorState; expired: number[] } {
  const gaps = new Map(state.gaps);
  let lastId = state.lastId;
  for (const id of ids) {
    if (id <= lastId) {
      gaps.delete(id);
      continue;
    }
    for (let missing = lastId + 1; missing < id && gaps.size < MAX_GAPS; missing += 1) gaps.set(missing, now);
    lastId = id;
  }
  const expired: number[] = [];
  for (const [id, since] of gaps) {
    if (now - since > gapWaitMs) {
      gaps.delete(id);
      expired.push(id);
    }
  }
  return { next: { lastId, gaps: [...gaps] }, expired };
}

/** An outbox event as a cursor's reader sees it. */
export interface OutboxEventRecord {
  /** bigint, as text. */
  id: string;
  type: string;
  occurredAt: Date;
  data: unknown;
}

interface OutboxRow {
  id: string;
  type: string;
  occurred_at: Date;
  data: unknown;
}

/** The client event a row read past a cursor holds (its contract type), or null for an internal instruction. */
export function clientEventOf(row: OutboxEventRecord): QuickStockEvent | null {
  const decoded = decodeStoredEvent({
    id: Number(row.id),
    type: row.type,
    occurredAt: row.occurredAt,
    data: row.data,
    audienceStaff: true,
    audienceUserId: null,
  });
  return decoded.kind === 'client' ? decoded.event : null;
}

/** The next events past `cursor`, with the gaps below it that may have committed since, in id order. */
export async function eventsPastCursor(tx: Tx, cursor: CursorState, limit: number): Promise<OutboxEventRecord[]> {
  const rows = await sql<OutboxRow>(tx, 'SELECT id, type, occurred_at, data FROM events WHERE id > $1 OR id = ANY($2::bigint[]) ORDER BY id LIMIT $3', [
    cursor.lastId,
    cursor.gaps.map(([id]) => id),
    limit,
  ]);
  return rows.map((row) => ({ id: row.id, type: row.type, occurredAt: row.occurred_at, data: row.data }));
}

/** The cursor after reading `events`; ids given up on (never committed) are logged as `what`'s. */
export function cursorAfter(cursor: CursorState, events: readonly OutboxEventRecord[], logger: Logger, what: string): CursorState {
  const { next, expired } = advanceCursor(
    cursor,
    events.map((e) => Number(e.id)),
    Date.now(),
    GAP_WAIT_MS,
  );
  if (expired.length > 0) logger.warn({ ids: expired.slice(0, 20), count: expired.length }, `event ids never committed; the ${what} stops looking for them`);
  return next;
}

/** What one pass of a reader did: how many rows it wrote, and whether a full batch was read (so more may wait). */
export interface PassOutcome {
  inserted: number;
  more: boolean;
}

/** Least time between two passes under load, so a burst of commits costs one pass, not one each. */
const MIN_PASS_INTERVAL_MS = 20;

/**
 * A reader of the outbox with a cursor of its own (the webhook fan-out, the mail fan-out): its passes
 * run at once after each local commit that wrote events (`outboxSignal`), else every `pollMs`
 * (other instances' commits), one at a time, again while passes find full batches. A subclass says
 * what one pass does (`pass`: lock its cursor, read `eventsPastCursor`, write, save `cursorAfter`,
 * in one transaction); `onInserted` runs after a pass that wrote something (to wake a sender).
 */
export abstract class OutboxFollower {
  private readonly loop: BackgroundLoop;
  private again = false;
  private stopped = false;
  private lastPassAt = 0;
  private readonly wake = () => void this.kick();

  constructor(
    what: string,
    pollMs: number,
    logger: Logger,
    private readonly onInserted: () => void,
  ) {
    this.loop = new BackgroundLoop(what, pollMs, () => this.run(), logger);
  }

  /** One batch: reads events past the cursor (and its gaps), writes what they cause, moves the cursor. */
  abstract pass(): Promise<PassOutcome>;

  start(): void {
    this.stopped = false;
    outboxSignal.on('committed', this.wake);
    this.loop.start();
    void this.kick();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    outboxSignal.off('committed', this.wake);
    await this.loop.stop();
  }

  /** Runs a pass now, or once more after the one in progress. */
  kick(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    this.again = true;
    return this.loop.runOnce();
  }

  private async run(): Promise<void> {
    do {
      if (this.stopped) return;
      this.again = false;
      const wait = this.lastPassAt + MIN_PASS_INTERVAL_MS - Date.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      this.lastPassAt = Date.now();
      const outcome = await this.pass();
      if (outcome.inserted > 0) this.onInserted();
      if (outcome.more) this.again = true;
    } while (this.again);
  }
}
