import type { Logger } from 'pino';
import type { MailSettings } from '../platform/config';
import type { Db } from '../platform/db/db';
import { BackgroundLoop } from '../platform/background/background-loop';
import { recordEvent } from '../platform/events';
import type { EmailTemplate } from './email.models';
import { mailQueueRepository as repo, type ClaimedMailRecord } from './mail-queue.repository';
import { retryDelayMs, type SendResult } from './mail-retry-policy';
import { SMTP_POOL_SIZE, type SmtpTransport } from './smtp-transport';

/** What the mail metrics count (quickstock_emails_total{template,outcome}). */
export type MailOutcome = 'sent' | 'failed' | 'retried' | 'skipped';
export type CountMail = (template: EmailTemplate, outcome: MailOutcome) => void;

/** How long a stop lets the sends in flight finish before cutting them (a cut one may be sent twice). */
const STOP_GRACE_MS = 1_000;

/**
 * Sends due mails. Each tick claims what is due, at most SMTP_POOL_SIZE in flight on this instance
 * (one per pooled connection), in one statement (SKIP LOCKED, leased): no transaction or connection
 * is held while a mail is out, so a hanging SMTP server holds only the worker's own slots, never the
 * pool the API needs. Each outcome is recorded on its own, and only for the claim it came from:
 * 2xx sent; a 4xx reply, a timeout or a dropped connection retried on MAIL_RETRY_SCHEDULE_MS
 * (±20 %), failed once the schedule is spent; a 5xx failed at once. A failure records the staff
 * event `email.failed` in the same transaction. A worker killed mid-send leaves its claims to expire:
 * the mails go again, with the same Message-ID (at least once, never lost).
 */
export class MailWorker {
  private readonly loop: BackgroundLoop;
  private readonly inFlight = new Set<Promise<void>>();
  private readonly stopping = new AbortController();
  private stopped = false;

  constructor(
    private readonly db: Db,
    private readonly transport: SmtpTransport,
    private readonly settings: MailSettings,
    private readonly count: CountMail,
    private readonly logger: Logger,
  ) {
    this.loop = new BackgroundLoop('mail sender', settings.pollMs, () => this.tick(), logger);
  }

  start(): void {
    this.loop.start();
    void this.wake();
  }

  /** Claims and starts due mails now (after a commit that recorded some, or a slot freed); never lost to a claim in progress. */
  wake(): Promise<void> {
    return this.loop.wake();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.loop.stop();
    if (this.inFlight.size > 0) await Promise.race([Promise.allSettled([...this.inFlight]), new Promise((resolve) => setTimeout(resolve, STOP_GRACE_MS))]);
    this.stopping.abort();
    await Promise.allSettled([...this.inFlight]);
  }

  /** A lease that outlives one attempt (cut at MAIL_TIMEOUT_MS) and its recording; an expired one means the worker died. */
  private get leaseMs(): number {
    return this.settings.timeoutMs * 2 + 1_000;
  }

  private async tick(): Promise<void> {
    const room = SMTP_POOL_SIZE - this.inFlight.size;
    if (room <= 0 || this.stopped) return;
    for (const mail of await repo.claimDue(this.db, room, this.leaseMs)) {
      const running: Promise<void> = this.attempt(mail)
        .catch((err: unknown) =>
          this.logger.warn({ err, emailId: mail.id }, 'a mail outcome could not be recorded; its claim will expire and it will be sent again'),
        )
        .finally(() => {
          this.inFlight.delete(running);
          if (!this.stopped) void this.wake();
        });
      this.inFlight.add(running);
    }
  }

  private async attempt(mail: ClaimedMailRecord): Promise<void> {
    const result = await this.transport.send(
      { to: mail.recipient, subject: mail.subject, html: mail.html, text: mail.text, messageId: mail.messageId },
      this.stopping.signal,
    );
    await this.record(mail, result);
  }

  private async record(mail: ClaimedMailRecord, result: SendResult): Promise<void> {
    if (result.kind === 'stopped') return repo.release(this.db, mail);
    if (result.kind === 'sent') {
      if (await repo.markSent(this.db, mail, result.reply)) this.count(mail.template, 'sent');
      return;
    }
    const attempts = mail.attempts + 1;
    const delay = result.kind === 'temporary' ? retryDelayMs(attempts, this.settings.retryScheduleMs) : null;
    if (delay !== null) {
      if (await repo.scheduleRetry(this.db, mail, result.reply, delay)) {
        this.count(mail.template, 'retried');
        this.logger.info({ emailId: mail.id, template: mail.template, attempts, retryInMs: delay, reply: result.reply }, 'mail not sent; it will be retried');
      }
      return;
    }
    await this.fail(mail, result.reply);
  }

  /** Failed for good: the row and the staff event `email.failed` in one transaction (staff only: no customerId). */
  private async fail(mail: ClaimedMailRecord, reply: string): Promise<void> {
    const failed = await this.db.transaction(async (tx) => {
      const row = await repo.markFailed(tx, mail, reply);
      if (row)
        await recordEvent(tx, {
          type: 'email.failed',
          data: {
            emailMessageId: row.id,
            orderId: row.orderId,
            template: row.template,
            recipient: row.recipient,
            attempts: row.attempts,
            lastReply: row.lastReply,
          },
          customerId: null,
        });
      return row;
    });
    if (!failed) return;
    this.count(mail.template, 'failed');
    this.logger.warn({ emailId: mail.id, template: mail.template, attempts: failed.attempts, reply }, 'mail failed; staff were told (email.failed)');
  }
}
