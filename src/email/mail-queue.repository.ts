import type { Db, DbTarget, Tx } from '../platform/db/db';
import { sql, sqlOne } from '../platform/db/sql';
import type { CursorState } from '../platform/events';
import type { EmailSkipReason, EmailTemplate } from './email.models';

/** A mail to record: rendered, addressed, its Message-ID chosen; pending (to send) or skipped (never sent). */
export interface NewMailRecord {
  /** The outbox event it tells of (unique with the template); null for an account mail. */
  eventId: number | null;
  template: EmailTemplate;
  orderId: string | null;
  userId: string | null;
  recipient: string;
  subject: string;
  html: string;
  text: string;
  messageId: string;
  skipReason: EmailSkipReason | null;
}

/** A mail just recorded. */
export interface RecordedMailRecord {
  id: string;
  template: EmailTemplate;
  skipped: boolean;
}

/** A mail the worker claimed: what sending it needs, and the claim (its lease's end, to finish only its own claim). */
export interface ClaimedMailRecord {
  id: string;
  template: EmailTemplate;
  orderId: string | null;
  recipient: string;
  subject: string;
  html: string;
  text: string;
  messageId: string;
  /** Attempts made before this one. */
  attempts: number;
  claimedUntil: Date;
}

/** A mail given up on, as the staff event tells of it. */
export interface FailedMailRecord {
  id: string;
  orderId: string | null;
  template: EmailTemplate;
  recipient: string;
  attempts: number;
  lastReply: string | null;
}

interface ClaimedRow {
  id: string;
  template: EmailTemplate;
  order_id: string | null;
  recipient: string;
  subject: string;
  html: string;
  text: string;
  message_id: string;
  attempts: number;
  claimed_until: Date;
}

interface FailedRow {
  id: string;
  order_id: string | null;
  template: EmailTemplate;
  recipient: string;
  attempts: number;
  last_reply: string | null;
}

const toClaimedMailRecord = (row: ClaimedRow): ClaimedMailRecord => ({
  id: row.id,
  template: row.template,
  orderId: row.order_id,
  recipient: row.recipient,
  subject: row.subject,
  html: row.html,
  text: row.text,
  messageId: row.message_id,
  attempts: row.attempts,
  claimedUntil: row.claimed_until,
});

/** The columns of `insert`'s unnest, in the order of its parameters. */
const NEW_MAIL_COLUMNS = ['eventId', 'template', 'orderId', 'userId', 'recipient', 'subject', 'html', 'text', 'messageId', 'skipReason'] as const;

/**
 * The mail queue's statements: the fan-out's cursor, the rows, the worker's claim and outcomes.
 * Raw SQL (sql()) because each is a locking claim, a set insert with ON CONFLICT, or an update that
 * must hit only the claim it was given, which the model cannot say.
 */
export const mailQueueRepository = {
  /** The fan-out cursor, locked; undefined while another instance advances it (SKIP LOCKED: it returns at once). */
  async lockCursor(tx: Tx): Promise<CursorState | undefined> {
    const row = await sqlOne<{ last_id: string; gaps: [number, number][] }>(
      tx,
      'SELECT last_id, gaps FROM email_fanout_cursor WHERE id = 1 FOR UPDATE SKIP LOCKED',
    );
    return row && { lastId: Number(row.last_id), gaps: row.gaps };
  },

  /** In the transaction that recorded the mails of the events read: both or neither. */
  async saveCursor(tx: Tx, cursor: CursorState): Promise<void> {
    await sql(tx, 'UPDATE email_fanout_cursor SET last_id = $1, gaps = $2::jsonb, updated_at = now() WHERE id = 1', [
      cursor.lastId,
      JSON.stringify(cursor.gaps),
    ]);
  },

  /**
   * Records mails, one statement for a batch; a pending one is due at once. UNIQUE (event_id,
   * template) makes a replayed event or a second instance's pass add nothing (account mails have no
   * event: NULLs are distinct). Answers the rows actually inserted.
   */
  async insert(target: DbTarget, mails: readonly NewMailRecord[]): Promise<RecordedMailRecord[]> {
    if (mails.length === 0) return [];
    const rows = await sql<{ id: string; template: EmailTemplate; skipped: boolean }>(
      target,
      `INSERT INTO email_messages (event_id, template, order_id, user_id, recipient, subject, html, text, message_id, skip_reason, status, next_attempt_at)
       SELECT event_id, template, order_id, user_id, recipient, subject, html, text, message_id, skip_reason,
              CASE WHEN skip_reason IS NULL THEN 'pending' ELSE 'skipped' END, CASE WHEN skip_reason IS NULL THEN now() END
         FROM unnest($1::bigint[], $2::text[], $3::uuid[], $4::uuid[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[])
           AS m(event_id, template, order_id, user_id, recipient, subject, html, text, message_id, skip_reason)
       ON CONFLICT (event_id, template) DO NOTHING
       RETURNING id, template, status = 'skipped' AS skipped`,
      NEW_MAIL_COLUMNS.map((key) => mails.map((m) => m[key])),
    );
    return rows;
  },

  /**
   * Claims up to `limit` due pending mails, oldest due first (SKIP LOCKED over email_messages_due_idx),
   * leased for `leaseMs`: a worker that dies mid-send leaves a claim that expires, and the mail is
   * sent again (same Message-ID). The lease's end is cut to milliseconds so that it comes back
   * exactly as it went (a JavaScript Date), and names the claim when its outcome is recorded.
   */
  async claimDue(db: Db, limit: number, leaseMs: number): Promise<ClaimedMailRecord[]> {
    const rows = await sql<ClaimedRow>(
      db,
      `UPDATE email_messages m SET claimed_until = date_trunc('milliseconds', clock_timestamp()) + make_interval(secs => $2::float8 / 1000), updated_at = now()
         FROM (SELECT id FROM email_messages
                WHERE status = 'pending' AND next_attempt_at <= now() AND (claimed_until IS NULL OR claimed_until <= now())
                ORDER BY next_attempt_at, id LIMIT $1 FOR UPDATE SKIP LOCKED) due
        WHERE m.id = due.id
       RETURNING m.id, m.template, m.order_id, m.recipient, m.subject, m.html, m.text, m.message_id, m.attempts, m.claimed_until`,
      [limit, leaseMs],
    );
    return rows.map(toClaimedMailRecord);
  },

  /** Sent: answers false when the claim was no longer this worker's (expired and taken again). */
  async markSent(db: Db, mail: ClaimedMailRecord, reply: string): Promise<boolean> {
    const rows = await sql(
      db,
      `UPDATE email_messages SET status = 'sent', sent_at = now(), attempts = attempts + 1, last_attempt_at = now(), last_reply = $3,
              claimed_until = NULL, next_attempt_at = NULL, updated_at = now()
        WHERE id = $1 AND status = 'pending' AND claimed_until = $2 RETURNING 1`,
      [mail.id, mail.claimedUntil, reply],
    );
    return rows.length > 0;
  },

  /** A temporary failure: pending again in `delayMs`, the attempt counted. */
  async scheduleRetry(db: Db, mail: ClaimedMailRecord, reply: string, delayMs: number): Promise<boolean> {
    const rows = await sql(
      db,
      `UPDATE email_messages SET attempts = attempts + 1, last_attempt_at = now(), last_reply = $3,
              next_attempt_at = now() + make_interval(secs => $4::float8 / 1000), claimed_until = NULL, updated_at = now()
        WHERE id = $1 AND status = 'pending' AND claimed_until = $2 RETURNING 1`,
      [mail.id, mail.claimedUntil, reply, delayMs],
    );
    return rows.length > 0;
  },

  /** Given up (a 5xx, or the schedule spent): answers the mail as failed, for the staff event. */
  async markFailed(tx: Tx, mail: ClaimedMailRecord, reply: string): Promise<FailedMailRecord | undefined> {
    const row = await sqlOne<FailedRow>(
      tx,
      `UPDATE email_messages SET status = 'failed', attempts = attempts + 1, last_attempt_at = now(), last_reply = $3,
              claimed_until = NULL, next_attempt_at = NULL, updated_at = now()
        WHERE id = $1 AND status = 'pending' AND claimed_until = $2
       RETURNING id, order_id, template, recipient, attempts, last_reply`,
      [mail.id, mail.claimedUntil, reply],
    );
    return row && { id: row.id, orderId: row.order_id, template: row.template, recipient: row.recipient, attempts: row.attempts, lastReply: row.last_reply };
  },

  /** Cut short by a shutdown: due again at once, no attempt counted. */
  async release(db: Db, mail: ClaimedMailRecord): Promise<void> {
    await sql(
      db,
      "UPDATE email_messages SET claimed_until = NULL, next_attempt_at = now(), updated_at = now() WHERE id = $1 AND status = 'pending' AND claimed_until = $2",
      [mail.id, mail.claimedUntil],
    );
  },

  /** Seconds since the oldest mail still pending (due, or waiting for a retry) was recorded; 0 when none. */
  async oldestPendingAgeSeconds(db: Db): Promise<number> {
    // Pending rows only, through the partial index email_messages_due_idx: few, whatever the log's size.
    const row = await sqlOne<{ age: number | null }>(
      db,
      "SELECT extract(epoch FROM now() - min(created_at))::float8 AS age FROM email_messages WHERE status = 'pending'",
    );
    return Math.max(0, row?.age ?? 0);
  },

  /**
   * Retention: mails (sent, skipped, failed; never pending) older than `days`, in batches, SKIP
   * LOCKED. A newer resend keeps its place in the log but loses its link to a purged original
   * (resend_of set to null in the same statement, so the foreign key holds).
   */
  async purgeOlderThan(db: Db, days: number, batch: number): Promise<number> {
    const rows = await sql(
      db,
      `WITH doomed AS (
         SELECT id FROM email_messages WHERE created_at < now() - make_interval(days => $1) AND status <> 'pending'
          LIMIT $2 FOR UPDATE SKIP LOCKED),
       unlinked AS (
         UPDATE email_messages SET resend_of = NULL WHERE resend_of IN (SELECT id FROM doomed) AND id NOT IN (SELECT id FROM doomed))
       DELETE FROM email_messages WHERE id IN (SELECT id FROM doomed) RETURNING 1`,
      [days, batch],
    );
    return rows.length;
  },
};
