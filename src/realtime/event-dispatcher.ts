import type { Logger } from 'pino';
import type { Db } from '../platform/db/db';
import { BackgroundLoop } from '../platform/background/background-loop';
import { outboxSignal, type StoredEvent } from '../platform/events';
import { outboxRepository as outbox } from './outbox.repository';

/** An outbox row as the dispatcher reads it. */
export type OutboxEvent = StoredEvent;

export interface DispatcherOptions {
  /** Poll for events this process was not woken for (a crashed instance's, or a drain that failed). */
  pollIntervalMs: number;
  batchSize: number;
  /** Least time between the starts of two passes. */
  batchWindowMs: number;
  /** How long a hole in the id sequence (a transaction still open, or rolled back) holds later events back. */
  gapTimeoutMs: number;
}

/**
 * Delivers committed outbox rows, in id order, to `deliver` and marks them dispatched.
 *
 * - Wake-ups: after every local commit that wrote events (`outboxSignal`), plus a short poll. A
 *   wake during a pass gets exactly one more pass after it (`BackgroundLoop.wake`): no commit waits
 *   for the poll, and a burst of commits shares one pass.
 * - One dispatcher at a time across all instances: each drain locks the single `event_dispatcher`
 *   row (`FOR UPDATE SKIP LOCKED`); when another instance holds it, this one tries again a moment
 *   later, so every event is emitted once, in order, promptly, by whichever instance drains.
 * - Delivery happens inside the drain's transaction, before the rows are marked: a crash at any
 *   point leaves them undispatched and the next drain (here or on another instance) sends them.
 *   Delivery is therefore at least once; clients de-duplicate by id.
 * - Ids come from a sequence, so a transaction that took id 7 may commit after the one that took 8.
 *   The drain stops at such a hole and waits up to `gapTimeoutMs` for it to fill; a hole that stays
 *   (a rolled-back transaction) is then skipped, and a straggler that commits later is still sent.
 * Old events are deleted by the housekeeper.
 */
const BUSY_RETRY_MS = 20;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export class EventDispatcher {
  /** The poll, and one pass at a time (a drain during a pass gets exactly one more pass after it: BackgroundLoop.wake). */
  private readonly background: BackgroundLoop;
  private stopped = true;
  private retryTimer: NodeJS.Timeout | null = null;
  private lastPassAt = 0;
  private readonly wake = () => void this.drain();

  constructor(
    private readonly db: Db,
    private readonly deliver: (events: OutboxEvent[]) => Promise<void>,
    private readonly logger: Logger,
    private readonly options: DispatcherOptions,
  ) {
    this.background = new BackgroundLoop('event dispatch', options.pollIntervalMs, () => this.pass(), logger);
  }

  async start(): Promise<void> {
    this.stopped = false;
    outboxSignal.on('committed', this.wake);
    this.background.start();
    await this.drain();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    outboxSignal.off('committed', this.wake);
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    await this.background.stop();
  }

  /** Delivers everything committed so far; concurrent calls coalesce into one more pass. */
  drain(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    return this.background.wake();
  }

  private async pass(): Promise<void> {
    if (this.stopped) return;
    // Under load, commits arrive faster than passes: wait a moment so that one pass carries many
    // events instead of one pass (six statements) per event. An idle dispatcher starts at once.
    const sinceLastPass = Date.now() - this.lastPassAt;
    if (sinceLastPass < this.options.batchWindowMs) await sleep(this.options.batchWindowMs - sinceLastPass);
    this.lastPassAt = Date.now();
    try {
      const outcome = await this.drainOnce();
      if (outcome === 'more') void this.background.wake(); // one more pass right after this one
      if (outcome === 'busy') this.retryIn(BUSY_RETRY_MS);
      if (outcome === 'gap') this.retryIn(Math.ceil(this.options.gapTimeoutMs / 4));
    } catch (err) {
      this.logger.error({ err }, 'event dispatch failed; will retry');
    }
  }

  /** One batch: 'more' when there may be more to deliver right away. */
  private async drainOnce(): Promise<'done' | 'more' | 'busy' | 'gap'> {
    return this.db.transaction(async (tx) => {
      const state = await outbox.lockDispatcher(tx);
      if (!state) return 'busy'; // another instance is draining
      const events = await outbox.undispatched(tx, this.options.batchSize);
      let lastId = Number(state.lastId);
      let gapAt: number | null = null;
      const ready: OutboxEvent[] = [];
      for (const event of events) {
        const id = event.id;
        if (id > lastId + 1) {
          const knownGap = state.gapAt !== null && Number(state.gapAt) === lastId + 1;
          if (!knownGap || (state.gapAgeMs ?? 0) < this.options.gapTimeoutMs) {
            gapAt = lastId + 1;
            break;
          }
          this.logger.warn({ from: lastId + 1, to: id - 1 }, 'event ids never committed; skipping them');
        }
        ready.push(event);
        lastId = Math.max(lastId, id);
      }
      if (ready.length > 0) await this.deliver(ready);
      await outbox.markDispatched(
        tx,
        ready.map((e) => e.id),
        lastId,
        gapAt,
      );
      if (gapAt !== null) return 'gap';
      return events.length === this.options.batchSize ? 'more' : 'done';
    });
  }

  private retryIn(ms: number): void {
    if (this.retryTimer || this.stopped) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      void this.drain();
    }, ms);
    this.retryTimer.unref();
  }
}
