import type { Tx } from '../platform/db/db';
import type { AccountMail, AccountMailer } from './account-mail';
import { passwordChangedMail, passwordResetMail, type RenderedMail } from './templates';
import type { MailDrafts } from './mail-drafts';
import { mailQueueRepository as repo, type RecordedMailRecord } from './mail-queue.repository';

function render(mail: AccountMail): RenderedMail {
  switch (mail.template) {
    case 'password_reset':
      return passwordResetMail({ name: mail.to.name, resetUrl: mail.resetUrl, expiresAt: mail.expiresAt });
    case 'password_changed':
      return passwordChangedMail({ name: mail.to.name, changedAt: mail.changedAt, how: mail.how });
  }
}

/**
 * Account mails (reset link, "password changed"), recorded in the caller's transaction: the row
 * exists exactly when the change it tells of commits, and the worker is woken after the commit.
 * They go whatever the user's order-mail preference; with no SMTP_URL they are recorded skipped.
 */
export class QueuedAccountMailer implements AccountMailer {
  constructor(
    private readonly drafts: MailDrafts,
    /** After the commit (to wake the sender, count a skipped mail). */
    private readonly onRecorded: (mails: readonly RecordedMailRecord[]) => void,
  ) {}

  async queue(tx: Tx, mail: AccountMail): Promise<void> {
    const draft = this.drafts.draft({
      eventId: null,
      template: mail.template,
      orderId: null,
      userId: mail.to.userId,
      recipient: mail.to.email,
      rendered: render(mail),
      optedOut: false,
    });
    const recorded = await repo.insert(tx, [draft]);
    tx.afterCommit(() => this.onRecorded(recorded));
  }
}
