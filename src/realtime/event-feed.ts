import type { Sequelize } from 'sequelize-typescript';
import { QueryTypes } from 'sequelize';
import type { Config } from '../platform/config';
import { isStaff } from '../platform/http/contract';
import type { AuthenticatedActor } from '../auth';
import { decodeStoredEvent, type QuickStockEvent } from '../platform/events';
import { toOutboxEvent, type EventRow } from './event-dispatcher';

const DRAIN_WAIT_MS = 2_000;

/** Reads the outbox for replay: only what the client may see, only what has been dispatched. */
export class EventFeed {
  constructor(
    private readonly sequelize: Sequelize,
    private readonly options: Config['realtime'],
  ) {}

  /** The client envelopes of stored rows (the audience filter keeps internal events out already). */
  private envelopes(rows: EventRow[]): QuickStockEvent[] {
    return rows.flatMap((row) => {
      const decoded = decodeStoredEvent(toOutboxEvent(row));
      return decoded.kind === 'client' ? [decoded.event] : [];
    });
  }

  /**
   * Events after `afterId` already sent live to others, in id order. When more were missed than
   * the replay cap, the most recent ones are sent (the client should reload state over REST).
   */
  async missedSince(actor: AuthenticatedActor, afterId: number): Promise<QuickStockEvent[]> {
    const rows = await this.sequelize.query<EventRow>(
      `SELECT * FROM (
         SELECT id, type, occurred_at, data, audience_staff, audience_user_id FROM events
          WHERE id > :afterId AND dispatched_at IS NOT NULL AND ${audienceFilter(actor)}
            AND occurred_at > now() - make_interval(hours => :hours)
          ORDER BY id DESC LIMIT :limit) recent
        ORDER BY id`,
      {
        replacements: { afterId, userId: actor.id, hours: this.options.retentionHours, limit: this.options.replayMaxEvents },
        type: QueryTypes.SELECT,
      },
    );
    return this.envelopes(rows);
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
      const free = await this.sequelize.query('SELECT 1 FROM event_dispatcher WHERE id = 1 FOR KEY SHARE SKIP LOCKED', { type: QueryTypes.SELECT });
      if (free.length > 0 || Date.now() > deadline) break;
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    const rows = await this.sequelize.query<EventRow>(
      `SELECT id, type, occurred_at, data, audience_staff, audience_user_id FROM events
        WHERE id > :afterId AND dispatched_at IS NOT NULL AND ${audienceFilter(actor)}
        ORDER BY id LIMIT :limit`,
      { replacements: { afterId, userId: actor.id, limit: this.options.replayMaxEvents }, type: QueryTypes.SELECT },
    );
    return this.envelopes(rows);
  }
}

/** Staff see every client event; a customer, the events addressed to it. Internal events have neither audience. */
function audienceFilter(actor: AuthenticatedActor): string {
  return isStaff(actor) ? 'audience_staff' : 'audience_user_id = :userId';
}
