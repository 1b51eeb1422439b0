import { randomUUID } from 'node:crypto';
import type { components } from '../../generated/openapi';
import { h } from './hooks';

type EmailTemplate = components['schemas']['EmailTemplate'];
type EmailStatus = components['schemas']['EmailStatus'];

export interface SeededEmail {
  template?: EmailTemplate;
  status?: EmailStatus;
  orderId?: string | null;
  userId?: string | null;
  recipient?: string;
  subject?: string;
  html?: string;
  text?: string;
  skipReason?: 'mail-not-configured' | 'opted-out' | null;
  attempts?: number;
  lastReply?: string | null;
  /** When it was recorded (default now): lets a spec order its rows without sleeping. */
  createdAt?: Date;
}

export interface SeededEmailRow {
  id: string;
  messageId: string;
  createdAt: string;
}

/**
 * Records a mail straight into `email_messages`, as the mail fan-out or an account use case would,
 * for the staff API's specs (they read and re-send the log; they do not send). Each row keeps the
 * table's checks: a `sent` one has `sent_at`, a `skipped` one its reason, a `pending` one its next
 * attempt, a day away, so that no mail worker picks it up while a spec looks at it.
 */
export async function seedEmail(options: SeededEmail = {}): Promise<SeededEmailRow> {
  const status = options.status ?? 'failed';
  const id = randomUUID();
  const messageId = `<${id}@quickstock.test>`;
  const attempts = options.attempts ?? (status === 'pending' || status === 'skipped' ? 0 : 1);
  const lastReply =
    options.lastReply !== undefined ? options.lastReply : status === 'failed' ? '550 5.1.1 <nobody@example.test>: Recipient address rejected' : null;
  const { rows } = await h().db.query<{ created_at: Date }>(
    `INSERT INTO email_messages (id, template, order_id, user_id, recipient, subject, html, text, message_id, status, skip_reason,
                                 attempts, last_reply, last_attempt_at, next_attempt_at, sent_at, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13,
             CASE WHEN $12::int > 0 THEN now() END,
             CASE WHEN $10 = 'pending' THEN now() + interval '1 day' END,
             CASE WHEN $10 = 'sent' THEN now() END,
             coalesce($14::timestamptz, now()))
     RETURNING created_at`,
    [
      id,
      options.template ?? 'order_confirmed',
      options.orderId ?? null,
      options.userId ?? null,
      options.recipient ?? `cliente-${id.slice(0, 8)}@example.test`,
      options.subject ?? 'Ordine QS-2026-000123 confermato',
      options.html ?? '<p>Grazie per il tuo ordine.</p>',
      options.text ?? 'Grazie per il tuo ordine.',
      messageId,
      status,
      options.skipReason ?? (status === 'skipped' ? 'opted-out' : null),
      attempts,
      lastReply,
      options.createdAt?.toISOString() ?? null,
    ],
  );
  return { id, messageId, createdAt: rows[0]!.created_at.toISOString() };
}

/** Several mails of one order, oldest first, a millisecond apart (so newest-first order is known). */
export async function seedOrderEmails(orderId: string, templates: EmailTemplate[], options: Omit<SeededEmail, 'orderId' | 'template' | 'createdAt'> = {}) {
  const start = Date.now() - templates.length;
  const seeded: SeededEmailRow[] = [];
  for (const [i, template] of templates.entries()) {
    seeded.push(await seedEmail({ ...options, orderId, template, createdAt: new Date(start + i) }));
  }
  return seeded;
}
