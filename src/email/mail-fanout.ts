import type { Logger } from 'pino';
import type { Db, Tx } from '../platform/db/db';
import { clientEventOf, cursorAfter, eventsPastCursor, OutboxFollower, type OutboxEventRecord, type PassOutcome } from '../platform/events';
import type { OrderView, ReturnDesk } from './templates';
import type { MailDrafts } from './mail-drafts';
import { mailQueueRepository as repo, type NewMailRecord, type RecordedMailRecord } from './mail-queue.repository';
import { orderMailOf } from './order-mails';

/** Events read per pass: each that calls for a mail reads its order (a few statements) in the pass's transaction. */
const BATCH = 100;

/** What the mail fan-out reads of other modules, handed in by the composition root. */
export interface MailSources {
  /** The order as the API shows it to staff (customer, lines, totals, address, payments, shipments), read in `tx`; null when there is none. */
  orderView(orderId: string, tx: Tx): Promise<OrderView | null>;
  /** Whether the customer wants order mails (`users.order_emails`), read in `tx`. */
  wantsOrderEmails(userId: string, tx: Tx): Promise<boolean>;
  /** Where returned goods go and within how many days ("Reso autorizzato"). */
  returnDesk: ReturnDesk;
}

/**
 * A third cursor over the outbox (beside the realtime dispatcher's and the webhook fan-out's): each
 * committed event that calls for a mail (order-mails.ts) becomes one `email_messages` row, rendered
 * from the order as it stands, inserted in the transaction that moves the cursor, under the cursor
 * row's lock (one instance at a time). A crash anywhere leaves the cursor where it was; the unique
 * (event, template) key makes a repeated pass, or a second instance's, add no second mail. Nothing
 * here talks to SMTP: the worker sends after the commit, so a slow mail server slows no request.
 */
export class MailFanOut extends OutboxFollower {
  constructor(
    private readonly db: Db,
    private readonly drafts: MailDrafts,
    private readonly sources: MailSources,
    pollMs: number,
    private readonly logger: Logger,
    /** After the commit of a pass that recorded mails (to wake the sender, count the skipped ones). */
    private readonly onRecorded: (mails: readonly RecordedMailRecord[]) => void,
  ) {
    super('mail fan-out', pollMs, logger, () => undefined);
  }

  /** One batch: reads events past the cursor (and its gaps), records their mails, moves the cursor. */
  override async pass(): Promise<PassOutcome> {
    return this.db.transaction(async (tx) => {
      const cursor = await repo.lockCursor(tx);
      if (!cursor) return { inserted: 0, more: false };
      const events = await eventsPastCursor(tx, cursor, BATCH);
      const drafts: NewMailRecord[] = [];
      // One after the other: they share the transaction's connection.
      for (const event of events) {
        const draft = await this.draftOf(tx, event);
        if (draft) drafts.push(draft);
      }
      const recorded = await repo.insert(tx, drafts);
      await repo.saveCursor(tx, cursorAfter(cursor, events, this.logger, 'mail fan-out'));
      if (recorded.length > 0) tx.afterCommit(() => this.onRecorded(recorded));
      return { inserted: recorded.length, more: events.length === BATCH };
    });
  }

  private async draftOf(tx: Tx, row: OutboxEventRecord): Promise<NewMailRecord | null> {
    const event = clientEventOf(row);
    const mail = event && orderMailOf(event, this.sources.returnDesk);
    if (!mail) return null;
    const order = await this.sources.orderView(mail.orderId, tx);
    if (!order) {
      this.logger.warn({ eventId: row.id, orderId: mail.orderId, template: mail.template }, 'no such order; its mail is not recorded');
      return null;
    }
    let rendered;
    try {
      rendered = mail.render(order);
    } catch (err) {
      // One mail that cannot be rendered must not hold back every later mail: it is logged, left out.
      this.logger.error({ err, eventId: row.id, orderId: order.id, template: mail.template }, 'a mail could not be rendered; it is not sent');
      return null;
    }
    return this.drafts.draft({
      eventId: Number(row.id),
      template: mail.template,
      orderId: order.id,
      userId: order.customerId,
      recipient: order.customer.email,
      rendered,
      optedOut: !(await this.sources.wantsOrderEmails(order.customerId, tx)),
    });
  }
}
