import { expect } from 'chai';
import { asAdmin, ok } from '../../support/api';
import { h } from '../../support/hooks';
import { mailReaching } from '../email/mail-shop';
import { askReturn, deliveredOrder, stepReturn } from './helpers';

describe('returns: the "Reso autorizzato" mail', function () {
  this.timeout(30_000);

  it('mails the customer, once a return is approved, the number, the lines and what to do: pack, mark, send to the warehouse within the window', async () => {
    const { buyer, order, products } = await deliveredOrder([{ quantity: 3 }]);
    const made = ok(await askReturn(buyer.token, order.id, [{ productId: products[0]!.id, quantity: 2, reason: 'damaged' }]));
    ok(await stepReturn(await asAdmin(), made.id, 'approve'));
    const row = await mailReaching(order.id, 'return_authorized');
    expect(row.recipient).to.equal(buyer.email);
    const [mail] = await h().smtp.waitFor(1, (m) => m.parsed.messageId === row.message_id);
    expect(mail!.parsed.subject).to.equal(`Reso ${made.number} autorizzato (ordine ${order.number})`);
    const text = String(mail!.parsed.text);
    for (const phrase of [
      `abbiamo autorizzato il reso ${made.number} per il tuo ordine ${order.number}`,
      `2 × ${products[0]!.name}`,
      `Scrivi il numero del reso ${made.number} in modo ben visibile sul pacco.`,
      'QuickStock Magazzino, Via della Logistica 10, 40100 Bologna (BO), IT',
      '(30 giorni da oggi)',
    ]) {
      expect(text, phrase).to.include(phrase);
    }
    expect(String(mail!.parsed.html)).to.include('Indirizzo del magazzino');
  });
});
