import { expect } from 'chai';
import { h } from '../../support/hooks';
import { query, waitFor } from '../../support/database';
import { assertMatchesAsyncApi, connectSocket, type TestSocket } from '../../support/realtime';
import { mailReaching, mailRows, openMailShop, receivedFor, type MailShop } from './mail-shop';

/** The counter's value for one template and outcome, on the suite's service. */
async function counted(template: string, outcome: string): Promise<number> {
  const text = await h().server.services.metrics.registry.metrics();
  const line = text.split('\n').find((l) => l.startsWith(`quickstock_emails_total{template="${template}",outcome="${outcome}"}`));
  return line ? Number(line.split(' ').pop()) : 0;
}

/**
 * What the worker does with the SMTP server's answers: a 4xx retried with the same Message-ID until
 * it goes, a 5xx (at DATA or to the recipient) failed after one attempt with the staff event
 * `email.failed` (never told to the customer), an opted-out customer's order mails skipped while its
 * account mails still go. The compressed schedule of the suite (MAIL_RETRY_SCHEDULE_MS=200,400,800).
 */
describe('email: retries, failures, opting out', function () {
  this.timeout(30_000);
  let shop: MailShop;
  const sockets: TestSocket[] = [];

  before(async () => {
    shop = await openMailShop();
  });
  afterEach(() => {
    for (const s of sockets.splice(0)) s.close();
  });

  it('sends on the third attempt after 421 twice, with one Message-ID on all three, and stores attempts 3', async () => {
    const retriedBefore = await counted('order_confirmed', 'retried');
    h().smtp.failNext(421, 2, shop.buyer.email);
    const order = await shop.order();
    await shop.pay(order);
    const row = await mailReaching(order.id, 'order_confirmed');
    expect(row).to.include({ status: 'sent', attempts: 3 });
    expect(row.last_reply).to.match(/^250\b/);
    expect(h().smtp.attempts.filter((id) => id === row.message_id)).to.have.length(3);
    const received = receivedFor(shop.buyer.email, order.number);
    expect(received.map((m) => m.parsed.messageId)).to.deep.equal([row.message_id]);
    expect((await counted('order_confirmed', 'retried')) - retriedBefore).to.equal(2);
  });

  it('fails a mail refused with 550 after one attempt and tells staff with email.failed, never the customer', async () => {
    const failedBefore = await counted('order_confirmed', 'failed');
    const [staff, buyer] = await Promise.all([connectSocket({ token: shop.op.token }), connectSocket({ token: shop.buyer.token })]);
    sockets.push(staff, buyer);
    h().smtp.failNext(550, 1, shop.buyer.email);
    const order = await shop.order();
    await shop.pay(order);
    const row = await mailReaching(order.id, 'order_confirmed', 'failed');
    expect(row).to.include({ status: 'failed', attempts: 1, sent_at: null });
    expect(row.last_reply).to.match(/^550\b/);
    expect(h().smtp.attempts.filter((id) => id === row.message_id)).to.have.length(1);

    const event = await staff.next((e) => e.name === 'email.failed' && e.payload.data.emailMessageId === row.id, 5000, 'email.failed');
    assertMatchesAsyncApi(event);
    expect(event.payload.data).to.deep.equal({
      emailMessageId: row.id,
      orderId: order.id,
      template: 'order_confirmed',
      recipient: shop.buyer.email,
      attempts: 1,
      lastReply: row.last_reply,
    });
    const [stored] = await query("SELECT audience_staff, audience_user_id FROM events WHERE type = 'email.failed' AND data->>'emailMessageId' = $1", [row.id]);
    expect(stored).to.deep.equal({ audience_staff: true, audience_user_id: null });
    // The customer's socket hears its own order's later events, but never this one.
    await shop.ship(order);
    await buyer.next((e) => e.name === 'shipment.updated' && e.payload.data.orderId === order.id, 5000, 'the buyer’s shipment event');
    expect(buyer.received.filter((e) => e.name === 'email.failed')).to.deep.equal([]);
    expect((await counted('order_confirmed', 'failed')) - failedBefore).to.equal(1);
  });

  it('fails at once a mail whose recipient is refused at RCPT TO with 550', async () => {
    const other = await openMailShop();
    h().smtp.rejectRecipient(550, other.buyer.email);
    const order = await other.order();
    await other.pay(order);
    const row = await mailReaching(order.id, 'order_confirmed', 'failed');
    expect(row.attempts).to.equal(1);
    expect(row.last_reply).to.match(/^550\b/);
    expect(receivedFor(other.buyer.email)).to.deep.equal([]);
  });

  it('records an opted-out customer’s order mails as skipped (opted-out) and sends none, while its account mails still go', async () => {
    const other = await openMailShop();
    await h().db.query('UPDATE users SET order_emails = false WHERE id = $1', [other.buyer.id]);
    const order = await other.order();
    await other.pay(order);
    const row = await mailReaching(order.id, 'order_confirmed', 'skipped');
    expect(row).to.include({ skip_reason: 'opted-out', attempts: 0 });

    const { email } = h().server.services;
    await h().server.services.db.transaction((tx) =>
      email.accountMailer.queue(tx, {
        template: 'password_changed',
        to: { userId: other.buyer.id, email: other.buyer.email, name: 'Test' },
        changedAt: new Date(),
        how: 'changed',
      }),
    );
    const mails = await h().smtp.waitFor(1, (m) => m.envelopeTo.includes(other.buyer.email.toLowerCase()));
    expect(mails).to.have.length(1);
    const account = await waitFor(
      async () => (await mailRows({ recipient: other.buyer.email, template: 'password_changed' })).find((r) => r.status === 'sent'),
      5000,
      'the account mail sent',
    );
    expect(account).to.include({ status: 'sent', user_id: other.buyer.id, order_id: null, event_id: null, attempts: 1 });
    expect(mails[0]!.parsed.messageId).to.equal(account!.message_id);
    expect(receivedFor(other.buyer.email, order.number)).to.deep.equal([]);
  });

  it('records an account mail only when its transaction commits', async () => {
    const other = await openMailShop();
    const { email, db } = h().server.services;
    await db
      .transaction(async (tx) => {
        await email.accountMailer.queue(tx, {
          template: 'password_reset',
          to: { userId: other.buyer.id, email: other.buyer.email, name: 'Test' },
          resetUrl: 'http://quickstock.test/console/password-reset#token=abc',
          expiresAt: new Date(Date.now() + 1_800_000),
        });
        throw new Error('rolled back');
      })
      .catch(() => undefined);
    await email.wakeSender();
    expect(await mailRows({ recipient: other.buyer.email })).to.deep.equal([]);
  });

  it('adds no second mail when the fan-out reads an event again (a replay, or another instance)', async () => {
    const order = await shop.order();
    await shop.pay(order);
    const row = await mailReaching(order.id, 'order_confirmed');
    // Rewind the cursor to just before the event and let the fan-out read it (and what followed) again.
    await h().db.query("UPDATE email_fanout_cursor SET last_id = least(last_id, $1::bigint - 1), gaps = '[]'", [row.event_id]);
    await h().server.services.email.fanOut.kick();
    await h().server.services.email.wakeSender();
    expect((await mailRows({ orderId: order.id })).map((r) => r.id)).to.deep.equal([row.id]);
    expect(receivedFor(shop.buyer.email, order.number)).to.have.length(1);
  });

  it('reports the queue’s age on /metrics', async () => {
    const text = await h().server.services.metrics.registry.metrics();
    expect(text).to.match(/^quickstock_email_queue_oldest_seconds \d+(\.\d+)?$/m);
  });
});
