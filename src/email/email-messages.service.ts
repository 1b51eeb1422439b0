import type { Db } from '../platform/db/db';
import { ConflictError, ForbiddenError, NotFoundError } from '../platform/errors';
import { recordEvent } from '../platform/events';
import type { Actor, Schemas } from '../platform/http/contract';
import { cursorScope, keysetAfter, toPage, type Page } from '../platform/http/pagination';
import type { IdempotencyStore, StoredResult } from '../platform/idempotency';
import type { OrdersService } from '../orders';
import { emailLogRepository as emailLog, type EmailLogFilters, type EmailLogRecord } from './email-log.repository';
import type { EmailStatus, EmailTemplate } from './email.models';
import type { MailDrafts } from './mail-drafts';

export type EmailMessageView = Schemas['EmailMessage'];

/** The last SMTP reply as the contract bounds it. */
const LAST_REPLY_MAX = 2000;

export function toEmailMessageView(m: EmailLogRecord): EmailMessageView {
  return {
    id: m.id,
    orderId: m.orderId,
    userId: m.userId,
    template: m.template,
    recipient: m.recipient,
    subject: m.subject,
    status: m.status,
    skipReason: m.skipReason,
    attempts: m.attempts,
    lastReply: m.lastReply === null ? null : m.lastReply.slice(0, LAST_REPLY_MAX),
    messageId: m.messageId,
    resendOf: m.resendOf,
    createdAt: m.createdAt.toISOString(),
    lastAttemptAt: m.lastAttemptAt?.toISOString() ?? null,
    nextAttemptAt: m.nextAttemptAt?.toISOString() ?? null,
    sentAt: m.sentAt?.toISOString() ?? null,
  };
}

export interface EmailMessagesDeps {
  db: Db;
  idempotency: IdempotencyStore;
  /** Orders own orders: a list under an order asks them whether it exists (404 otherwise). */
  orders: Pick<OrdersService, 'checkVisible'>;
  /** The mail module's Message-IDs, and whether mail is sent at all (a re-send without SMTP_URL is `skipped`). */
  drafts: Pick<MailDrafts, 'messageId' | 'sending'>;
  /**
   * Called after the commit of a re-send that is `pending`: the hook to wake the mail worker at once
   * (it also finds the row on its next poll, `MAIL_POLL_MS`, without it).
   */
  onQueued?: () => void;
}

export interface EmailListQuery {
  limit: number;
  cursor?: string;
}

/**
 * What staff do with the mail log: read an order's mails, list the failed ones, and re-send one as
 * a new message linked to the original. Sending is the mail worker's (it picks up the new row).
 */
export class EmailMessagesService {
  constructor(private readonly deps: EmailMessagesDeps) {}

  async listForOrder(orderId: string, query: EmailListQuery, actor: Actor): Promise<Page<EmailMessageView>> {
    await this.deps.orders.checkVisible(orderId, actor);
    return this.page({ orderId }, query);
  }

  list(query: EmailListQuery & { status?: EmailStatus; template?: EmailTemplate }): Promise<Page<EmailMessageView>> {
    return this.page({ status: query.status, template: query.template }, query);
  }

  async get(id: string): Promise<EmailMessageView> {
    const found = await emailLog.find(this.deps.db, id);
    if (!found) throw new NotFoundError('The email message');
    return toEmailMessageView(found);
  }

  /**
   * Records a new mail copying the original (its body included, a new Message-ID, `resend_of`) and
   * `email.resent`, in one transaction under the Idempotency-Key's claim: the same key replays, and
   * two re-sends with different keys make two mails. A password-reset mail is refused (its token is
   * single-use and short-lived: the user asks for a new link); any other mail may be re-sent whatever
   * its status, an opted-out one included (a re-send is staff's explicit act).
   */
  resend(id: string, actor: Actor, idempotencyKey: string): Promise<StoredResult<EmailMessageView>> {
    const { role } = actor;
    if (role !== 'admin' && role !== 'operator') throw new ForbiddenError();
    const request = { userId: actor.id, scope: 'resendEmailMessage', key: idempotencyKey, fingerprint: { id } };
    return this.deps.idempotency.run(request, async (tx) => {
      const original = await emailLog.find(tx, id);
      if (!original) throw new NotFoundError('The email message');
      const template = original.template;
      if (template === 'password_reset') {
        throw new ConflictError(
          'email-not-resendable',
          'A password-reset mail cannot be sent again: its link is single-use and short-lived. The user asks for a new link.',
        );
      }
      const { drafts } = this.deps;
      const copy = await emailLog.insertResend(tx, id, drafts.messageId(), drafts.sending ? null : 'mail-not-configured');
      if (!copy) throw new NotFoundError('The email message');
      const status = copy.status === 'pending' ? 'pending' : 'skipped';
      await recordEvent(tx, {
        type: 'email.resent',
        data: { emailMessageId: copy.id, resendOf: id, orderId: copy.orderId, template, status, actorId: actor.id, actorRole: role },
      });
      const wake = this.deps.onQueued;
      if (status === 'pending' && wake) tx.afterCommit(() => wake());
      return { status: 201, body: toEmailMessageView(copy) };
    });
  }

  private async page(filters: EmailLogFilters, query: EmailListQuery): Promise<Page<EmailMessageView>> {
    // The scope names the list too: a cursor of another list sorted the same way is refused.
    const scope = cursorScope(filters, { list: 'email-messages' });
    const after = keysetAfter(query.cursor, ['timestamp', 'uuid'] as const, scope);
    const rows = await emailLog.page(this.deps.db, filters, query.limit, after);
    return toPage(rows, query.limit, toEmailMessageView, (m) => [m.createdAt.toISOString(), m.id], scope);
  }
}
