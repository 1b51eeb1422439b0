import type { Config } from '../platform/config';
import type { Db } from '../platform/db/db';
import { isStaff } from '../platform/http/contract';
import type { AuthenticatedActor } from '../auth';
import { decodeStoredEvent, type QuickStockEvent } from '../platform/events';
import { outboxRepository as outbox, type Audience, type EventRecord } from './outbox.repository';

const DRAIN_WAIT_MS = 2_000;

/** Reads the outbox for replay: only what the client may see, only what has been dispatched. */
export class EventFeed {
  constructor(
    private readonly db: Db,
    private readonly options: Config['realtime'],
  ) {}

  /** The client envelopes of stored events (the audience filter keeps internal events out already). */
  private envelopes(events: EventRecord[]): QuickStockEvent[] {
    return events.flatMap((event) => {
      const decoded = decodeStoredEvent(event);
      return decoded.kind === 'client' ? [decoded.event] : [];
    });
  }

  /**
   * Events after `afterId` already sent live to others, in id order. When more were missed than
   * the replay cap, the most recent ones are sent (the client should reload state over REST).
   */
  async missedSince(actor: AuthenticatedActor, afterId: number): Promise<QuickStockEvent[]> {
    return this.envelopes(await outbox.recentDispatched(audienceOf(actor), afterId, this.options.retentionHours, this.options.replayMaxEvents));
  }

  /**
   * After the socket joined its rooms: the events dispatched between the first replay query and
   * the join. A drain in progress may have emitted before the join and not yet committed its
   * marks, so wait until none is (the drain holds the dispatcher row; a momentary KEY SHARE probe
   * with SKIP LOCKED sees that without ever making the dispatcher wait).
   */
  async dispatchedSince(actor: AuthenticatedActor, afterId: number): Promise<QuickStockEvent[]> {
    const deadline = Date.now() + DRAIN_WAIT_MS;
    for (;;) {
      if ((await outbox.dispatcherIsFree(this.db)) || Date.now() > deadline) break;
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    return this.envelopes(await outbox.dispatchedAfter(audienceOf(actor), afterId, this.options.replayMaxEvents));
  }
}

function audienceOf(actor: AuthenticatedActor): Audience {
  return isStaff(actor) ? { staff: true } : { staff: false, userId: actor.id };
}
