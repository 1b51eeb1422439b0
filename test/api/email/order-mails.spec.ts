import { expect } from 'chai';
import type { Order } from '../../support/api';
import { PUBLIC_URL_IN_TESTS } from '../../support/hooks';
import type { ReceivedMail } from '../../support/smtp';
import { h } from '../../support/hooks';
import { mailReaching, mailRows, openMailShop, receivedFor, type MailRow, type MailShop } from './mail-shop';

/**
 * The five order mails, each after the real flow through the API, received by the suite's SMTP
 * server: the headers a mail client reads, one Message-ID (the stored one), HTML with a plain-text
 * alternative, and the stored row. The wording is the templates' (tested with them), not asserted here.
 */
describe('email: order mails from the outbox', function () {
  this.timeout(30_000);
  let shop: MailShop;

  before(async () => {
    shop = await openMailShop();
  });

  async function arrived(order: Order, template: string): Promise<{ row: MailRow; mail: ReceivedMail }> {
    const row = await mailReaching(order.id, template);
    const mail = await h().smtp.waitFor(1, (m) => m.parsed.messageId === row.message_id);
    return { row, mail: mail[0]! };
  }

  function expectWellFormed(order: Order, { row, mail }: { row: MailRow; mail: ReceivedMail }): void {
    const { parsed } = mail;
    expect(parsed.from?.value.map((a) => a.address)).to.deep.equal([`noreply@${new URL(PUBLIC_URL_IN_TESTS).hostname}`]);
    expect(parsed.from?.value[0]?.name).to.equal('QuickStock');
    const to = Array.isArray(parsed.to) ? parsed.to : [parsed.to];
    expect(to.flatMap((t) => t?.value.map((a) => a.address))).to.deep.equal([shop.buyer.email]);
    expect(mail.envelopeTo).to.deep.equal([shop.buyer.email.toLowerCase()]);
    expect(parsed.subject).to.include(order.number);
    expect(parsed.subject).to.equal(row.subject);
    expect(mail.raw).to.match(/^Content-Type: multipart\/alternative/im);
    expect(parsed.html).to.be.a('string').and.not.equal('');
    expect(parsed.text).to.be.a('string').and.not.equal('');
    expect(mail.raw.match(/^Message-ID:/gim)).to.have.length(1);
    expect(parsed.messageId).to.equal(row.message_id);
    expect(row.message_id).to.match(/^<[0-9a-f-]{36}@quickstock\.test>$/);
    expect(row).to.include({ status: 'sent', attempts: 1, recipient: shop.buyer.email, user_id: shop.buyer.id, skip_reason: null });
    expect(row.sent_at).to.be.an.instanceOf(Date);
    expect(row.last_reply).to.match(/^250\b/);
    expect(row.event_id).to.be.a('string');
  }

  it('mails "order confirmed" when a manual payment is recorded, once', async () => {
    const order = await shop.order();
    await shop.pay(order);
    const sent = await arrived(order, 'order_confirmed');
    expectWellFormed(order, sent);
    expect(receivedFor(shop.buyer.email, order.number)).to.have.length(1);
  });

  it('mails "shipped" on a manual shipment and "delivered" when the order is delivered', async () => {
    const order = await shop.order();
    await shop.pay(order);
    await shop.ship(order);
    expectWellFormed(order, await arrived(order, 'order_shipped'));
    await shop.deliver(order);
    expectWellFormed(order, await arrived(order, 'order_delivered'));
    const templates = (await mailRows({ orderId: order.id })).map((r) => r.template);
    expect(templates).to.have.members(['order_confirmed', 'order_shipped', 'order_delivered']);
  });

  it('mails "cancelled" and "refund made" when a paid order is cancelled (the manual refund)', async () => {
    const order = await shop.order();
    await shop.pay(order);
    await shop.cancel(order);
    expectWellFormed(order, await arrived(order, 'order_cancelled'));
    expectWellFormed(order, await arrived(order, 'refund_made'));
  });

  it('mails "cancelled" alone for an unpaid order cancelled (nothing to refund)', async () => {
    const order = await shop.order();
    await shop.cancel(order);
    const { row } = await arrived(order, 'order_cancelled');
    expect(row.status).to.equal('sent');
    // No payment was captured, so there is no refund and no refund mail.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect((await mailRows({ orderId: order.id })).map((r) => r.template)).to.deep.equal(['order_cancelled']);
  });
});
