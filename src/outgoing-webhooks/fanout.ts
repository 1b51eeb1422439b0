import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { decodeStoredEvent, outboxSignal } from '../platform/events';
import { BackgroundLoop } from '../platform/background/background-loop';
import type { Db } from '../platform/db/db';
import { deliveryRepository as repo, type NewDelivery, type OutboxEventRecord, type SubscriptionTargetRecord } from './delivery.repository';
import { advanceCursor } from './fanout-cursor';

const BATCH = 500;
/** How long an event id missing below the cursor is looked for (a transaction that stays open longer is missed). */
export const GAP_WAIT_MS = 10 * 60_000;
/** Least time between two passes under load, so a burst of commits costs one pass, not one each. */
const MIN_PASS_INTERVAL_MS = 20;

/** A new message id: the `webhook-id` of every attempt of one delivery. */
export function newMessageId(): string {
  return `msg_${randomUUID().replaceAll('-', '')}`;
}

/** The body of an outgoing webhook: `{type, timestamp, data, id}`, `data` exactly the event's AsyncAPI payload. */
export function messageBody(type: string, occurredAt: Date, data: unknown, messageId: string): string {
  return JSON.stringify({ type, timestamp: occurredAt.toISOString(), data, id: messageId });
}

/**
 * A second cursor over the outbox (the realtime dispatcher keeps its own): each committed event
 * becomes one delivery per enabled subscription of its type, inserted in the transaction that moves
 * the cursor, under the cursor row's lock (one instance at a time). A crash anywhere leaves the
 * cursor where it was, and the unique (subscription, event) key makes the repeated pass add nothing.
 * Late commits (a lower id committing after a higher one) are caught by the cursor's gap list.
 */
export class FanOut {
  private readonly loop: BackgroundLoop;
  private again = false;
  private stopped = false;
  private lastPassAt = 0;
  private readonly wake = () => this.kick();

  constructor(
    private readonly db: Db,
    pollMs: number,
    private readonly logger: Logger,
    /** Called after a pass inserted deliveries. */
    private readonly onDeliveries: () => void,
  ) {
    this.loop = new BackgroundLoop('webhook fan-out', pollMs, () => this.run(), logger);
  }

  start(): void {
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
      if (outcome.inserted > 0) this.onDeliveries();
      if (outcome.more) this.again = true;
    } while (this.again);
  }

  /** One batch: reads events past the cursor (and its gaps), inserts their deliveries, moves the cursor. */
  async pass(): Promise<{ inserted: number; more: boolean }> {
    return this.db.transaction(async (tx) => {
      const cursor = await repo.lockCursor(tx);
      if (!cursor) return { inserted: 0, more: false };
      const targets = await repo.enabledTargets(tx);
      if (targets.length === 0) {
        await repo.skipToEnd(tx);
        return { inserted: 0, more: false };
      }
      const lastId = Number(cursor.lastId);
      const rows = await repo.eventsAfter(
        tx,
        lastId,
        cursor.gaps.map(([id]) => id),
        BATCH,
      );
      const deliveries = rows.flatMap((row) => this.deliveriesOf(row, targets));
      const inserted = await repo.insertDeliveries(tx, deliveries);
      const { next, expired } = advanceCursor(
        { lastId, gaps: cursor.gaps },
        rows.map((r) => Number(r.id)),
        Date.now(),
        GAP_WAIT_MS,
      );
      if (expired.length > 0)
        this.logger.warn({ ids: expired.slice(0, 20), count: expired.length }, 'event ids never committed; the webhook fan-out stops looking for them');
      await repo.saveCursor(tx, next.lastId, next.gaps);
      return { inserted, more: rows.length === BATCH };
    });
  }

  private deliveriesOf(row: OutboxEventRecord, targets: SubscriptionTargetRecord[]): NewDelivery[] {
    const decoded = decodeStoredEvent({
      id: Number(row.id),
      type: row.type,
      occurredAt: row.occurredAt,
      data: row.data,
      audienceStaff: true,
      audienceUserId: null,
    });
    if (decoded.kind !== 'client') return [];
    const event = decoded.event;
    return targets
      .filter((t) => t.eventTypes.includes(event.type) && t.createdAt <= row.occurredAt)
      .filter((t) => !(event.type === 'webhook.subscription_disabled' && event.data.subscriptionId === t.id))
      .map((t) => {
        const messageId = newMessageId();
        return {
          subscriptionId: t.id,
          messageId,
          eventId: event.id,
          eventType: event.type,
          body: messageBody(event.type, row.occurredAt, event.data, messageId),
        };
      });
  }
}
