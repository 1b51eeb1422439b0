import type { DbTarget, Tx } from '../platform/db/db';
import { sql, sqlOne } from '../platform/db/sql';
import type { EmailSkipReason, EmailStatus, EmailTemplate } from './email.models';

/** One mail of the log as staff read it: everything but its body. */
export interface EmailLogRecord {
  id: string;
  orderId: string | null;
  userId: string | null;
  template: EmailTemplate;
  recipient: string;
  subject: string;
  status: EmailStatus;
  skipReason: EmailSkipReason | null;
  attempts: number;
  lastReply: string | null;
  messageId: string;
  resendOf: string | null;
  createdAt: Date;
  lastAttemptAt: Date | null;
  nextAttemptAt: Date | null;
  sentAt: Date | null;
}

export interface EmailLogFilters {
  orderId?: string;
  status?: EmailStatus;
  template?: EmailTemplate;
}

interface EmailLogRow {
  id: string;
  order_id: string | null;
  user_id: string | null;
  template: EmailTemplate;
  recipient: string;
  subject: string;
  status: EmailStatus;
  skip_reason: EmailSkipReason | null;
  attempts: number;
  last_reply: string | null;
  message_id: string;
  resend_of: string | null;
  created_at: Date;
  last_attempt_at: Date | null;
  next_attempt_at: Date | null;
  sent_at: Date | null;
}

const LOG_COLUMNS = `id, order_id, user_id, template, recipient, subject, status, skip_reason, attempts, last_reply, message_id, resend_of,
  created_at, last_attempt_at, next_attempt_at, sent_at`;

const toLogRecord = (r: EmailLogRow): EmailLogRecord => ({
  id: r.id,
  orderId: r.order_id,
  userId: r.user_id,
  template: r.template,
  recipient: r.recipient,
  subject: r.subject,
  status: r.status,
  skipReason: r.skip_reason,
  attempts: r.attempts,
  lastReply: r.last_reply,
  messageId: r.message_id,
  resendOf: r.resend_of,
  createdAt: r.created_at,
  lastAttemptAt: r.last_attempt_at,
  nextAttemptAt: r.next_attempt_at,
  sentAt: r.sent_at,
});

/**
 * The mail log as staff read and re-send it (`email_messages`). The mail fan-out and the worker
 * write the rows; this file only lists them and records re-sends.
 */
export const emailLogRepository = {
  /**
   * Newest first, keyset-paged on (created_at, id), limit+1 rows. An order's mails are read through
   * `email_messages_order_idx`, a status through `email_messages_status_idx`.
   */
  async page(target: DbTarget, filters: EmailLogFilters, limit: number, after?: readonly [string, string]): Promise<EmailLogRecord[]> {
    const where: string[] = [];
    const values: unknown[] = [];
    const param = (value: unknown): string => {
      values.push(value);
      return `$${values.length}`;
    };
    if (filters.orderId) where.push(`order_id = ${param(filters.orderId)}::uuid`);
    if (filters.status) where.push(`status = ${param(filters.status)}`);
    if (filters.template) where.push(`template = ${param(filters.template)}`);
    if (after) where.push(`(created_at, id) < (${param(after[0])}::timestamptz, ${param(after[1])}::uuid)`);
    const rows = await sql<EmailLogRow>(
      target,
      `SELECT ${LOG_COLUMNS} FROM email_messages ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''}
        ORDER BY created_at DESC, id DESC LIMIT ${param(limit + 1)}`,
      values,
    );
    return rows.map(toLogRecord);
  },

  async find(target: DbTarget, id: string): Promise<EmailLogRecord | undefined> {
    const row = await sqlOne<EmailLogRow>(target, `SELECT ${LOG_COLUMNS} FROM email_messages WHERE id = $1`, [id]);
    return row && toLogRecord(row);
  },

  /**
   * A new mail copying the original's addressing and rendered body (copied in SQL: a body never
   * passes through the service), linked to it by `resend_of`: `pending` and due now, or `skipped`
   * with its reason (mail not configured). Undefined when the original is gone.
   */
  async insertResend(tx: Tx, originalId: string, messageId: string, skipReason: EmailSkipReason | null): Promise<EmailLogRecord | undefined> {
    const row = await sqlOne<EmailLogRow>(
      tx,
      `INSERT INTO email_messages (template, order_id, user_id, recipient, subject, html, text, message_id, status, skip_reason, next_attempt_at, resend_of)
       SELECT template, order_id, user_id, recipient, subject, html, text, $2,
              CASE WHEN $3::text IS NULL THEN 'pending' ELSE 'skipped' END, $3::text,
              CASE WHEN $3::text IS NULL THEN now() END, id
         FROM email_messages WHERE id = $1
       RETURNING ${LOG_COLUMNS}`,
      [originalId, messageId, skipReason],
    );
    return row && toLogRecord(row);
  },
};
