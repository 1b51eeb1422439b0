import { expect } from 'chai';
import type { Order } from '../../support/api';
import { PUBLIC_URL_IN_TESTS } from '../../support/hooks';
import type { ReceivedMail } from '../../support/smtp';
import { h } from '../../support/hooks';
import { mailReaching, mailRows, openMailShop, receivedFor, type MailRow, type MailShop } from './mail-shop';

/** `1.234,56 €`, as the mails write amounts (the templates' own rule, written out again here). */
function euro(cents: number): string {
  const units = Math.floor(cents / 100)
    .toString()
    .replace(/\B(?=(\d{3})+(?!\d))/g, '.');
  return `${units},${String(cents % 100).padStart(2, '0')} €`;
}

/** What a reader sees of the HTML part: tags dropped, the few entities the templates write decoded. */
function visibleHtml(mail: ReceivedMail): string {
  return String(mail.parsed.html)
    .replace(/<[^>]*>/g, ' ')
    .replace(/&#39;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ');
}

/** Each of `phrases` in the plain-text part and in what the HTML part shows. */
function expectSays(mail: ReceivedMail, ...phrases: string[]): void {
  for (const phrase of phrases) {
    expect(mail.parsed.text, phrase).to.include(phrase);
    expect(visibleHtml(mail), phrase).to.include(phrase);
  }
}

/**
 * The five order mails, each after the real flow through the API, received by the suite's SMTP
 * server: the headers a mail client reads, one Message-ID (the stored one), HTML with a plain-text
 * alternative, the stored row, and the Italian words a customer reads (each template's every case is
 * in test/unit/email/templates.spec.ts).
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
    expect(sent.mail.parsed.subject).to.equal(`Ordine ${order.number} confermato`);
    const line = order.items[0]!;
    expectSays(
      sent.mail,
      'Gentile Test customer,',
      `abbiamo ricevuto il pagamento del tuo ordine ${order.number}`,
      line.name,
      line.sku,
      euro(line.unitPriceCents),
      `${line.vatRate}%`,
      euro(order.totals.netCents),
      euro(order.totals.vatCents),
      euro(order.totals.grossCents),
      order.shippingAddress.line1,
    );
    expect(receivedFor(shop.buyer.email, order.number)).to.have.length(1);
  });

  it('mails "shipped" on a manual shipment and "delivered" when the order is delivered', async () => {
    const order = await shop.order();
    await shop.pay(order);
    await shop.ship(order);
    const shipped = await arrived(order, 'order_shipped');
    expectWellFormed(order, shipped);
    expect(shipped.mail.parsed.subject).to.equal(`Ordine ${order.number} spedito`);
    expectSays(shipped.mail, 'Corriere', 'BRT', 'Codice di tracciamento', 'BRT');
    await shop.deliver(order);
    const delivered = await arrived(order, 'order_delivered');
    expectWellFormed(order, delivered);
    expect(delivered.mail.parsed.subject).to.equal(`Ordine ${order.number} consegnato`);
    expectSays(delivered.mail, `il tuo ordine ${order.number} risulta consegnato`);
    const templates = (await mailRows({ orderId: order.id })).map((r) => r.template);
    expect(templates).to.have.members(['order_confirmed', 'order_shipped', 'order_delivered']);
  });

  it('mails "cancelled" and "refund made" when a paid order is cancelled (the manual refund)', async () => {
    const order = await shop.order();
    await shop.pay(order);
    await shop.cancel(order);
    const cancelled = await arrived(order, 'order_cancelled');
    expectWellFormed(order, cancelled);
    expect(cancelled.mail.parsed.subject).to.equal(`Ordine ${order.number} annullato`);
    expectSays(cancelled.mail, `Ti rimborsiamo ${euro(order.totals.grossCents)}`);
    const refunded = await arrived(order, 'refund_made');
    expectWellFormed(order, refunded);
    expect(refunded.mail.parsed.subject).to.equal(`Rimborso per l'ordine ${order.number}`);
    expectSays(refunded.mail, `Abbiamo rimborsato ${euro(order.totals.grossCents)} per il tuo ordine ${order.number}.`);
  });

  it('mails "cancelled" alone for an unpaid order cancelled (nothing to refund)', async () => {
    const order = await shop.order();
    await shop.cancel(order);
    const { row, mail } = await arrived(order, 'order_cancelled');
    expect(row.status).to.equal('sent');
    expect(mail.parsed.text).to.include(`il tuo ordine ${order.number}`);
    expect(mail.parsed.text).not.to.include('rimborsiamo');
    // No payment was captured, so there is no refund and no refund mail.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect((await mailRows({ orderId: order.id })).map((r) => r.template)).to.deep.equal(['order_cancelled']);
  });
});
