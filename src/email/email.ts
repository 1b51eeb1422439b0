import type { Logger } from 'pino';
import type { MailSettings } from '../platform/config';
import type { ModulePurge } from '../platform/background/module-purge';
import type { Db } from '../platform/db/db';
import type { AccountMailer } from './account-mail';
import { QueuedAccountMailer } from './account-mailer';
import { MailDrafts, messageIdDomain } from './mail-drafts';
import { MailFanOut, type MailSources } from './mail-fanout';
import { mailQueueRepository } from './mail-queue.repository';
import { MailWorker, type CountMail } from './mail-worker';
import type { RecordedMailRecord } from './mail-queue.repository';
import { describeSmtp, SmtpTransport } from './smtp-transport';

/** What the module reports to the metrics (platform/http/metrics.ts). */
export interface MailMetrics {
  count: CountMail;
  /** Registers how the queue's age is measured at each scrape. */
  measureQueueAge(measure: () => Promise<number>): void;
}

/**
 * The email module wired (issue 26): the fan-out from the outbox, the SMTP worker, the account
 * mailer auth queues through, and the purge of the mail log. With no SMTP_URL there is no transport
 * and no worker: every mail is recorded `skipped` (mail-not-configured), nothing is sent.
 */
export class Email {
  readonly accountMailer: AccountMailer;
  readonly fanOut: MailFanOut;
  /** Null when SMTP_URL is not set. */
  readonly worker: MailWorker | null;
  /** For the housekeeper: mails past MAIL_LOG_RETENTION_DAYS. */
  readonly purge: ModulePurge;
  /** Turns a rendered mail into a row to record (its Message-ID; pending, or skipped with no SMTP_URL): for a resend too. */
  readonly drafts: MailDrafts;
  private readonly transport: SmtpTransport | null;

  constructor(
    db: Db,
    private readonly settings: MailSettings,
    publicUrl: string | null,
    sources: MailSources,
    private readonly metrics: MailMetrics,
    private readonly logger: Logger,
  ) {
    this.transport = settings.smtpUrl ? new SmtpTransport(settings.smtpUrl, settings.from, settings.timeoutMs, logger) : null;
    this.worker = this.transport ? new MailWorker(db, this.transport, settings, metrics.count, logger) : null;
    const drafts = new MailDrafts(this.transport !== null, messageIdDomain(publicUrl, settings.from));
    this.drafts = drafts;
    const recorded = (mails: readonly RecordedMailRecord[]) => this.recorded(mails);
    this.fanOut = new MailFanOut(db, drafts, sources, settings.pollMs, logger, recorded);
    this.accountMailer = new QueuedAccountMailer(drafts, recorded);
    this.purge = { what: 'email messages', run: (batch) => mailQueueRepository.purgeOlderThan(db, settings.logRetentionDays, batch) };
    metrics.measureQueueAge(() => mailQueueRepository.oldestPendingAgeSeconds(db));
  }

  start(): void {
    if (this.settings.smtpUrl) this.logger.info({ smtp: describeSmtp(this.settings.smtpUrl) }, 'mail: sending through SMTP');
    else this.logger.info('mail: SMTP_URL not set; mails are recorded as skipped, never sent');
    this.fanOut.start();
    this.worker?.start();
  }

  async stop(): Promise<void> {
    await this.fanOut.stop();
    await this.worker?.stop();
    this.transport?.close();
  }

  /** Sends due mails now (a resend just recorded), instead of at the next poll. */
  wakeSender(): Promise<void> {
    return this.worker?.wake() ?? Promise.resolve();
  }

  private recorded(mails: readonly RecordedMailRecord[]): void {
    for (const mail of mails) if (mail.skipped) this.metrics.count(mail.template, 'skipped');
    if (mails.some((m) => !m.skipped)) void this.wakeSender();
  }
}
