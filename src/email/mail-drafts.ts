import { randomUUID } from 'node:crypto';
import type { RenderedMail } from './templates';
import type { EmailTemplate } from './email.models';
import type { NewMailRecord } from './mail-queue.repository';

/** What a mail is about and to whom, rendered. */
export interface MailDraftInput {
  eventId: number | null;
  template: EmailTemplate;
  orderId: string | null;
  userId: string | null;
  recipient: string;
  rendered: RenderedMail;
  /** The customer turned order mails off (never true for an account mail). */
  optedOut: boolean;
}

/**
 * The domain of every Message-ID: PUBLIC_URL's host, else MAIL_FROM's domain. Both are ours, so the
 * ids are unique across the Internet as RFC 5322 asks, and say nothing of the recipient.
 */
export function messageIdDomain(publicUrl: string | null, from: string): string {
  if (publicUrl) return new URL(publicUrl).hostname;
  const domain = /@([^\s<>@]+)>?\s*$/.exec(from)?.[1];
  return domain ?? 'localhost';
}

/**
 * Turns a rendered mail into the row to record: its Message-ID (`<uuid@domain>`, chosen once and sent
 * with every attempt, so a receiver can tell a retry from a new mail), and whether it goes at all —
 * with no SMTP_URL it is recorded `skipped` (mail-not-configured), so turning mail on later sends no
 * stale backlog; an opted-out customer's order mail is `skipped` (opted-out).
 */
export class MailDrafts {
  constructor(
    private readonly configured: boolean,
    private readonly domain: string,
  ) {}

  /** Whether mails go out at all (SMTP_URL set): a mail recorded without it is `skipped`. */
  get sending(): boolean {
    return this.configured;
  }

  /** A new Message-ID, `<uuid@domain>`. */
  messageId(): string {
    return `<${randomUUID()}@${this.domain}>`;
  }

  draft(input: MailDraftInput): NewMailRecord {
    const skipReason = !this.configured ? 'mail-not-configured' : input.optedOut ? 'opted-out' : null;
    return {
      eventId: input.eventId,
      template: input.template,
      orderId: input.orderId,
      userId: input.userId,
      recipient: input.recipient,
      subject: input.rendered.subject.replace(/[\r\n]+/g, ' '),
      html: input.rendered.html,
      text: input.rendered.text,
      messageId: this.messageId(),
      skipReason,
    };
  }
}
