import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { h } from '../../support/hooks';
import { query } from '../../support/database';

/** A row of the mail log written straight to the database, `ageDays` old. */
async function storedMail(status: 'sent' | 'failed' | 'skipped' | 'pending', ageDays: number, resendOf: string | null = null): Promise<string> {
  const [row] = await query<{ id: string }>(
    `INSERT INTO email_messages (template, recipient, subject, html, text, message_id, status, skip_reason, sent_at, next_attempt_at, resend_of, created_at)
     VALUES ('password_changed', $1, 'Password modificata', '<p>x</p>', 'x', $2, $3,
             CASE WHEN $3 = 'skipped' THEN 'opted-out' END, CASE WHEN $3 = 'sent' THEN now() END, CASE WHEN $3 = 'pending' THEN now() END,
             $4, now() - make_interval(days => $5))
     RETURNING id`,
    [`purge-${randomUUID()}@example.test`, `<${randomUUID()}@quickstock.test>`, status, resendOf, ageDays],
  );
  return row!.id;
}

describe('email: the mail log is purged after MAIL_LOG_RETENTION_DAYS', () => {
  it('deletes sent, failed and skipped mails past the retention, keeps pending ones, and unlinks a newer resend of a purged original', async () => {
    const oldSent = await storedMail('sent', 120);
    const oldFailed = await storedMail('failed', 95);
    const oldSkipped = await storedMail('skipped', 91);
    const oldResendOfOld = await storedMail('sent', 100, oldFailed);
    const recentResend = await storedMail('sent', 2, oldSent);
    const oldPending = await storedMail('pending', 100);
    const recent = await storedMail('sent', 89);
    const mine = [oldSent, oldFailed, oldSkipped, oldResendOfOld, recentResend, oldPending, recent];

    // The housekeeper runs the module's purge until it answers less than a batch.
    const { purge } = h().server.services.email;
    while ((await purge.run(2)) === 2);

    const left = await query<{ id: string; resend_of: string | null }>('SELECT id, resend_of FROM email_messages WHERE id = ANY($1::uuid[])', [mine]);
    expect(left.map((r) => r.id)).to.have.members([recentResend, oldPending, recent]);
    expect(left.find((r) => r.id === recentResend)?.resend_of).to.equal(null);
  });
});
