import { expect } from 'chai';
import type { OrderStatusChangedData, RefundUpdatedData } from '../../../generated/asyncapi';
import {
  orderCancelledMail,
  orderConfirmedMail,
  orderDeliveredMail,
  orderShippedMail,
  passwordChangedMail,
  passwordResetMail,
  refundMadeMail,
  returnAuthorizedMail,
  type OrderView,
  type RenderedMail,
} from '../../../src/email/templates';
import { euro, italianDateTime } from '../../../src/email/templates/format';

const ORDER_ID = '3b9d2f61-5c1e-4e8a-9f47-0a6b8c2d1e35';
const CUSTOMER_ID = '0c2e8f4a-1b6d-4f3e-9a8c-7d5e1b9f2a60';

function order(overrides: Partial<OrderView> = {}): OrderView {
  return {
    id: ORDER_ID,
    number: 'QS-2026-000123',
    customerId: CUSTOMER_ID,
    customer: { id: CUSTOMER_ID, name: 'Maria Rossi', email: 'maria.rossi@cartoleria.example' },
    status: 'paid',
    items: [
      {
        productId: 'a1',
        sku: 'PEN-SFERA-BLU-50',
        name: 'Penne a sfera blu (50 pz)',
        quantity: 12,
        unitPriceCents: 10_288,
        vatRate: 22,
        netCents: 123_456,
        vatCents: 27_160,
        grossCents: 150_616,
        shippedQuantity: 0,
        cancelledQuantity: 0,
      },
      {
        productId: 'a2',
        sku: 'RISMA-A4-80G',
        name: 'Risma carta A4 80 g',
        quantity: 1,
        unitPriceCents: 450,
        vatRate: 4,
        netCents: 450,
        vatCents: 18,
        grossCents: 468,
        shippedQuantity: 0,
        cancelledQuantity: 0,
      },
    ],
    totals: { netCents: 123_906, vatCents: 27_178, grossCents: 151_084 },
    currency: 'EUR',
    shippingAddress: { name: 'Cartoleria Rossi', line1: 'Via Emilia 12', line2: null, city: 'Bologna', postalCode: '40121', province: 'BO', country: 'IT' },
    notes: null,
    reservedUntil: null,
    payments: [],
    shipments: [],
    refundedCents: 0,
    returnStatus: 'none',
    createdAt: '2026-12-06T23:30:00.000Z',
    updatedAt: '2026-12-06T23:40:00.000Z',
    ...overrides,
  };
}

function statusEvent(to: OrderStatusChangedData['to'], reason: string | null = null): OrderStatusChangedData {
  const lines = [
    { productId: 'a1', quantity: 12, shippedQuantity: 0, cancelledQuantity: 0 },
    { productId: 'a2', quantity: 1, shippedQuantity: 0, cancelledQuantity: 0 },
  ];
  return {
    orderId: ORDER_ID,
    number: 'QS-2026-000123',
    customerId: CUSTOMER_ID,
    from: 'paid',
    to,
    actorId: null,
    actorRole: 'system',
    reason,
    lines,
    shipmentId: null,
  };
}

const SHIPMENT = {
  id: 's1',
  orderId: ORDER_ID,
  carrier: 'manual' as const,
  carrierName: 'BRT',
  trackingCode: '084512367890123',
  trackingUrl: 'https://vas.brt.it/vas/sped_det_show.hsm?referer=sped_numspe_par.htm&Nspediz=084512367890123',
  labelUrl: null,
  status: 'in_transit' as const,
  lines: [{ productId: 'a1', quantity: 12 }],
  service: null,
  rateCents: null,
  rateCurrency: null,
  trackingStatus: null,
  createdAt: '2026-12-07T08:00:00.000Z',
};

/** The visible text of the HTML part: tags dropped, entities decoded (what a reader sees). */
function visible(mail: RenderedMail): string {
  return mail.html
    .replace(/<[^>]*>/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ');
}

describe('email templates', () => {
  describe('formats', () => {
    it('writes amounts as 1.234,56 € with exact cents and a dot every three digits', () => {
      expect(euro(123_456)).to.equal('1.234,56 €');
      expect(euro(5)).to.equal('0,05 €');
      expect(euro(100)).to.equal('1,00 €');
      expect(euro(1_234_567_890)).to.equal('12.345.678,90 €');
      expect(euro(-2_550)).to.equal('-25,50 €');
    });

    it('writes dates and times in Europe/Rome, summer and winter', () => {
      expect(italianDateTime(new Date('2026-12-06T23:30:00Z'))).to.equal('7 dicembre 2026 alle 00:30');
      expect(italianDateTime(new Date('2026-07-01T22:15:00Z'))).to.equal('2 luglio 2026 alle 00:15');
    });
  });

  describe('order mails', () => {
    it('confirms an order with its lines, VAT, totals and address, in both parts', () => {
      const mail = orderConfirmedMail(statusEvent('paid'), order());
      expect(mail.subject).to.equal('Ordine QS-2026-000123 confermato');
      for (const part of [mail.text, visible(mail)]) {
        expect(part).to.include('Gentile Maria Rossi,');
        expect(part).to.include('7 dicembre 2026'); // placed at 00:30 in Rome, 23:30 UTC the day before
        expect(part).to.include('Penne a sfera blu (50 pz)');
        expect(part).to.include('PEN-SFERA-BLU-50');
        expect(part).to.include('102,88 €');
        expect(part).to.include('1.234,56 €');
        expect(part).to.include('22%');
        expect(part).to.include('1.239,06 €'); // net total
        expect(part).to.include('271,78 €'); // VAT
        expect(part).to.include('1.510,84 €'); // gross total
        expect(part).to.include('Via Emilia 12');
        expect(part).to.include('40121 Bologna (BO)');
      }
      expect(mail.html).to.match(/^<!doctype html>/);
      expect(mail.html).to.include('lang="it"');
    });

    it('names the carrier and tracking code of a shipment, and links only an https: tracking URL', () => {
      const shipped = orderShippedMail(statusEvent('shipped'), order({ status: 'shipped', shipments: [SHIPMENT] }));
      expect(shipped.subject).to.equal('Ordine QS-2026-000123 spedito');
      expect(shipped.text).to.include('Corriere: BRT');
      expect(shipped.text).to.include('Codice di tracciamento: 084512367890123');
      expect(shipped.text).to.include(`Segui la spedizione: ${SHIPMENT.trackingUrl}`);
      expect(shipped.html).to.include(`href="${SHIPMENT.trackingUrl.replace(/&/g, '&amp;')}"`);

      for (const trackingUrl of ['http://tracking.example/1', 'javascript:alert(1)', 'data:text/html,x', 'not a url', null]) {
        const mail = orderShippedMail(statusEvent('shipped'), order({ shipments: [{ ...SHIPMENT, trackingUrl }] }));
        expect(mail.html, String(trackingUrl)).not.to.include('href=');
        expect(mail.text, String(trackingUrl)).not.to.include('Segui la spedizione');
        expect(mail.text).to.include('Codice di tracciamento: 084512367890123');
      }
    });

    it('tells of the delivery', () => {
      const mail = orderDeliveredMail(statusEvent('delivered'), order({ status: 'delivered' }));
      expect(mail.subject).to.equal('Ordine QS-2026-000123 consegnato');
      expect(mail.text).to.include('risulta consegnato');
    });

    it('tells of a cancellation with the refund of what was captured, and without one when nothing was paid', () => {
      const payment = {
        id: 'p1',
        orderId: ORDER_ID,
        provider: 'manual' as const,
        status: 'captured' as const,
        amountCents: 151_084,
        refundedCents: 0,
        currency: 'EUR' as const,
        reference: null,
        failureReason: null,
        createdAt: '2026-12-07T08:00:00.000Z',
      };
      const refunded = orderCancelledMail(statusEvent('cancelled', 'Articolo non più disponibile'), order({ status: 'cancelled', payments: [payment] }));
      expect(refunded.subject).to.equal('Ordine QS-2026-000123 annullato');
      expect(refunded.text).to.include('Motivo: Articolo non più disponibile');
      expect(refunded.text).to.include('Ti rimborsiamo 1.510,84 €');
      expect(visible(refunded)).to.include('Ti rimborsiamo 1.510,84 €');

      const unpaid = orderCancelledMail(statusEvent('cancelled'), order({ status: 'cancelled', payments: [{ ...payment, status: 'failed' }] }));
      expect(unpaid.text).not.to.include('rimborsiamo');
      expect(unpaid.text).not.to.include('Motivo');
    });

    const refund = (overrides: Partial<RefundUpdatedData>): RefundUpdatedData => ({
      refundId: 'r1',
      orderId: ORDER_ID,
      paymentId: 'p1',
      amountCents: 8_626,
      status: 'succeeded',
      reason: 'ordine annullato',
      returnId: null,
      failureReason: null,
      paymentRefundedCents: 8_626,
      balanceCents: 0,
      ...overrides,
    });

    it('tells of a refund of the whole payment with its amount and its reason', () => {
      const mail = refundMadeMail(refund({}), order());
      expect(mail.subject).to.equal("Rimborso per l'ordine QS-2026-000123");
      for (const shown of [mail.text, visible(mail)]) {
        expect(shown).to.include('Abbiamo rimborsato 86,26 € per il tuo ordine QS-2026-000123.');
        expect(shown).to.include('Motivo: ordine annullato');
        expect(shown).not.to.include('In tutto');
      }
    });

    it('tells of a partial refund with its amount, its reason, and what went back so far of what was paid', () => {
      const first = refundMadeMail(
        refund({ amountCents: 3_287, reason: "resto dell'ordine annullato", paymentRefundedCents: 3_287, balanceCents: 5_339 }),
        order(),
      );
      const second = refundMadeMail(
        refund({ amountCents: 548, reason: 'Risma\narrivata danneggiata', paymentRefundedCents: 3_835, balanceCents: 4_791 }),
        order(),
      );
      for (const shown of [first.text, visible(first)]) {
        expect(shown).to.include('Abbiamo rimborsato 32,87 € per il tuo ordine QS-2026-000123.');
        expect(shown).to.include("Motivo: resto dell'ordine annullato");
        expect(shown).to.include('In tutto finora ti abbiamo rimborsato 32,87 € dei 86,26 € pagati.');
      }
      for (const shown of [second.text, visible(second)]) {
        expect(shown).to.include('Abbiamo rimborsato 5,48 € per il tuo ordine QS-2026-000123.');
        expect(shown).to.include('Motivo: Risma arrivata danneggiata');
        expect(shown).to.include('In tutto finora ti abbiamo rimborsato 38,35 € dei 86,26 € pagati.');
      }
    });

    it('says a parcel is part of the order, and what is in it, when more is to come', () => {
      const parcel = { ...SHIPMENT, id: 's-part', lines: [{ productId: 'a1', quantity: 4 }] };
      const part = orderShippedMail({ ...statusEvent('partially_shipped'), shipmentId: 's-part' }, order({ status: 'partially_shipped', shipments: [parcel] }));
      expect(part.subject).to.equal('Ordine QS-2026-000123 spedito in parte');
      for (const shown of [part.text, visible(part)]) {
        expect(shown).to.include('abbiamo spedito una parte del tuo ordine QS-2026-000123');
        expect(shown).to.include('4 × Penne a sfera blu (50 pz)');
        expect(shown).not.to.include('Risma carta A4');
      }
      const rest = orderShippedMail({ ...statusEvent('shipped'), shipmentId: 's-part' }, order({ status: 'shipped', shipments: [parcel] }));
      expect(rest.subject).to.equal('Ordine QS-2026-000123 spedito');
      expect(rest.text).not.to.include('una parte');
    });

    it('names the parcel the event announces, not only the latest', () => {
      const first = { ...SHIPMENT, id: 's-first', trackingCode: 'FIRST-1', createdAt: '2026-12-01T10:00:00.000Z' };
      const second = { ...SHIPMENT, id: 's-second', trackingCode: 'SECOND-2', createdAt: '2026-12-02T10:00:00.000Z' };
      const mail = orderShippedMail({ ...statusEvent('partially_shipped'), shipmentId: 's-first' }, order({ shipments: [first, second] }));
      expect(mail.text).to.include('Codice di tracciamento: FIRST-1');
    });

    it('shows a customer named like markup as text, never as markup', () => {
      const name = '<img src=x onerror=alert(1)>';
      const hostile = order({
        customer: { id: CUSTOMER_ID, name, email: 'x@example.com' },
        items: [{ ...order().items[0]!, name: '<script>alert("x")</script>', sku: '"><b>SKU' }],
        shippingAddress: { ...order().shippingAddress, name: '<a href="https://evil.example">clic</a>' },
      });
      for (const mail of [orderConfirmedMail(statusEvent('paid'), hostile), orderCancelledMail(statusEvent('cancelled', '<i>ok</i>'), hostile)]) {
        expect(mail.html).not.to.include('<img');
        expect(mail.html).not.to.include('<script');
        expect(mail.html).not.to.include('evil.example">');
        expect(mail.html).not.to.include('<b>SKU');
        expect(mail.html).to.include('&lt;img src=x onerror=alert(1)&gt;');
        expect(visible(mail)).to.include(`Gentile ${name},`);
        expect(mail.text).to.include(`Gentile ${name},`);
      }
    });

    it('keeps every value that holds a line break on its line: no header, no line of its own', () => {
      const name = 'Maria\r\nBcc: spy@evil.example';
      const evil = order({
        number: 'QS-1\r\nBcc: spy@evil.example',
        customer: { id: CUSTOMER_ID, name, email: 'x@example.com' },
        shipments: [{ ...SHIPMENT, carrierName: 'BRT\nX-Injected: 1', trackingCode: '1\r\n2' }],
      });
      const mails = [
        orderConfirmedMail(statusEvent('paid'), evil),
        orderShippedMail(statusEvent('shipped'), evil),
        orderDeliveredMail(statusEvent('delivered'), evil),
        orderCancelledMail(statusEvent('cancelled', 'a\r\nBcc: b@c'), evil),
        passwordResetMail({ name, resetUrl: 'https://quickstock.example/console/password-reset#token=abc', expiresAt: new Date() }),
        passwordChangedMail({ name, changedAt: new Date(), how: 'changed' }),
      ];
      for (const mail of mails) {
        expect(mail.subject).not.to.match(/[\r\n]/);
        expect(mail.text.split('\n').some((line) => /^(Bcc|X-Injected):/i.test(line.trim()))).to.equal(false);
        expect(mail.html.split('\n').some((line) => /^(Bcc|X-Injected):/i.test(line.trim()))).to.equal(false);
      }
    });
  });

  describe('account mails', () => {
    it('sends the reset link with its expiry time in Rome, in both parts', () => {
      const resetUrl = 'https://quickstock.example/console/password-reset#token=Zm9vYmFy&x=1';
      const mail = passwordResetMail({ name: 'Luca Bianchi', resetUrl, expiresAt: new Date('2026-12-07T09:30:00Z') });
      expect(mail.subject).to.equal('Reimposta la password del tuo account QuickStock');
      expect(mail.text).to.include(resetUrl);
      expect(mail.html).to.include(`href="${resetUrl.replace('&', '&amp;')}"`);
      expect(mail.text).to.include('10:30');
      expect(mail.text).to.include('Ciao Luca Bianchi,');
      expect(mail.text).to.include('ignora questa email');
    });

    it('tells of a password change, by whom it was made', () => {
      const at = new Date('2026-12-07T09:30:00Z');
      expect(passwordChangedMail({ name: 'Luca', changedAt: at, how: 'changed' }).subject).to.equal('Password modificata');
      expect(passwordChangedMail({ name: 'Luca', changedAt: at, how: 'changed' }).text).to.include(
        '7 dicembre 2026 alle 10:30 dalle impostazioni del tuo account',
      );
      expect(passwordChangedMail({ name: 'Luca', changedAt: at, how: 'reset' }).text).to.include('con il link di reimpostazione');
      expect(passwordChangedMail({ name: 'Luca', changedAt: at, how: 'admin' }).text).to.include('da un amministratore');
    });
  });

  describe('return mails', () => {
    const approved = {
      returnId: '6c2f9a1e-3b7d-4e5a-9c8f-1d2e3f4a5b6c',
      number: 'R-2026-000042',
      orderId: ORDER_ID,
      status: 'approved' as const,
      origin: 'customer' as const,
      lines: [{ productId: 'a1', quantity: 2, receivedQuantity: 0, restockedQuantity: 0 }],
      proposedRefundCents: 0,
    };
    const warehouse = {
      company: 'QuickStock Magazzino',
      line1: 'Via della Logistica 10',
      line2: null,
      city: 'Bologna',
      postalCode: '40100',
      province: 'BO',
      country: 'IT',
    };

    it('authorises a return with its number, the lines, and what to do: pack, mark the number, send to the warehouse within the window', () => {
      const mail = returnAuthorizedMail(approved, order({ status: 'delivered' }), { warehouse, returnWindowDays: 30 });
      expect(mail.subject).to.equal('Reso R-2026-000042 autorizzato (ordine QS-2026-000123)');
      for (const part of [mail.text, visible(mail)]) {
        expect(part).to.include('Gentile Maria Rossi,');
        expect(part).to.include('abbiamo autorizzato il reso R-2026-000042 per il tuo ordine QS-2026-000123');
        expect(part).to.include('2 × Penne a sfera blu (50 pz)');
        expect(part).to.include('Scrivi il numero del reso R-2026-000042 in modo ben visibile sul pacco.');
        expect(part).to.include('QuickStock Magazzino, Via della Logistica 10, 40100 Bologna (BO), IT');
        expect(part).to.include('(30 giorni da oggi)');
      }
    });

    it('still says what to do without a warehouse address configured, and escapes what reaches the HTML', () => {
      const named = order({ status: 'delivered', customer: { id: CUSTOMER_ID, name: '<b>Rossi</b>', email: 'maria.rossi@cartoleria.example' } });
      const mail = returnAuthorizedMail(approved, named, { warehouse: null, returnWindowDays: 14 });
      expect(mail.text).to.include('ti scriveremo l’indirizzo');
      expect(mail.text).to.include('(14 giorni da oggi)');
      expect(mail.html).to.not.include('<b>Rossi</b>');
      expect(mail.html).to.include('&lt;b&gt;Rossi&lt;/b&gt;');
    });
  });
});
