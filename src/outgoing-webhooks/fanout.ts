import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { clientEventOf, cursorAfter, eventsPastCursor, OutboxFollower, type OutboxEventRecord, type PassOutcome } from '../platform/events';
import type { Db } from '../platform/db/db';
import { deliveryRepository as repo, type NewDelivery, type SubscriptionTargetRecord } from './delivery.repository';

const BATCH = 500;

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
export class FanOut extends OutboxFollower {
  constructor(
    private readonly db: Db,
    pollMs: number,
    private readonly logger: Logger,
    /** Called after a pass inserted deliveries. */
    onDeliveries: () => void,
  ) {
    super('webhook fan-out', pollMs, logger, onDeliveries);
  }

  /** One batch: reads events past the cursor (and its gaps), inserts their deliveries, moves the cursor. */
  override async pass(): Promise<PassOutcome> {
    return this.db.transaction(async (tx) => {
      const cursor = await repo.lockCursor(tx);
      if (!cursor) return { inserted: 0, more: false };
      const targets = await repo.enabledTargets(tx);
      if (targets.length === 0) {
        await repo.skipToEnd(tx);
        return { inserted: 0, more: false };
      }
      const rows = await eventsPastCursor(tx, cursor, BATCH);
      const deliveries = rows.flatMap((row) => this.deliveriesOf(row, targets));
      const inserted = await repo.insertDeliveries(tx, deliveries);
      await repo.saveCursor(tx, cursorAfter(cursor, rows, this.logger, 'webhook fan-out'));
      return { inserted, more: rows.length === BATCH };
    });
  }

  private deliveriesOf(row: OutboxEventRecord, targets: SubscriptionTargetRecord[]): NewDelivery[] {
    const event = clientEventOf(row);
    if (!event) return [];
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
