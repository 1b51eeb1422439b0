import { expect } from 'chai';
import { checkVatNumber, partitaIvaCheckDigit } from '../../../src/purchasing/vat-number';
import { allows, statusFromCounts, stillExpected } from '../../../src/purchasing/purchase-order-status';
import { proposedQuantity } from '../../../src/purchasing/proposals';

describe('purchasing rules (unit)', () => {
  describe('VAT numbers', () => {
    it('computes the Partita IVA check digit (odd places as they are, even places doubled less 9 above 9)', () => {
      expect(partitaIvaCheckDigit('0123456789')).to.equal(7);
      // A real company's (Poste Italiane S.p.A.): 01114601006.
      expect(partitaIvaCheckDigit('0111460100')).to.equal(6);
      expect(partitaIvaCheckDigit('0000000000')).to.equal(0);
    });

    it('accepts a Partita IVA with or without IT and spaces, stored as its 11 digits', () => {
      for (const input of ['01234567897', 'IT01234567897', 'it 012 345 678 97', '01114601006']) {
        expect(checkVatNumber(input), input).to.deep.include({ ok: true });
      }
      expect(checkVatNumber('IT 01234567897')).to.deep.equal({ ok: true, value: '01234567897' });
    });

    it('accepts a foreign VAT number (country code and 2–13 letters or digits), upper-case', () => {
      expect(checkVatNumber('de 123456789')).to.deep.equal({ ok: true, value: 'DE123456789' });
      expect(checkVatNumber('FRXX999999999')).to.deep.equal({ ok: true, value: 'FRXX999999999' });
    });

    it('refuses a wrong check digit, a wrong length, letters after IT and anything else, saying why', () => {
      expect(checkVatNumber('01234567890')).to.deep.equal({ ok: false, problem: 'the check digit of this Partita IVA should be 7' });
      expect(checkVatNumber('1234567890123')).to.deep.equal({ ok: false, problem: 'an Italian Partita IVA has 11 digits; this has 13' });
      expect(checkVatNumber('ITX1234567890')).to.deep.equal({ ok: false, problem: 'an Italian Partita IVA has 11 digits after IT' });
      for (const input of ['D1', '12-34', 'DE1234567890123456', '   ']) expect(checkVatNumber(input).ok, input).to.equal(false);
    });
  });

  describe('purchase order status', () => {
    it('allows each step only from its statuses', () => {
      expect(allows('send', 'draft')).to.equal(true);
      expect(allows('send', 'sent')).to.equal(false);
      expect(allows('cancel', 'sent')).to.equal(true);
      expect(allows('cancel', 'partially_received')).to.equal(false);
      expect(allows('editLines', 'sent')).to.equal(false);
      expect(allows('receive', 'draft')).to.equal(false);
      expect(allows('receive', 'cancelled')).to.equal(false);
    });

    it('derives received or partially_received from the counts alone', () => {
      expect(
        statusFromCounts([
          { quantity: 5, receivedQuantity: 5 },
          { quantity: 3, receivedQuantity: 4 },
        ]),
      ).to.equal('received');
      expect(
        statusFromCounts([
          { quantity: 5, receivedQuantity: 5 },
          { quantity: 3, receivedQuantity: 2 },
        ]),
      ).to.equal('partially_received');
      expect(stillExpected({ quantity: 3, receivedQuantity: 4 })).to.equal(0);
      expect(stillExpected({ quantity: 10, receivedQuantity: 4 })).to.equal(6);
    });
  });

  describe('proposed quantity', () => {
    it('is the reorder quantity, or enough to reach twice the reorder level, less what is incoming', () => {
      expect(proposedQuantity({ reorderQuantity: 50, reorderLevel: 10, onHand: 4, reserved: 0, incoming: 20 })).to.equal(30);
      expect(proposedQuantity({ reorderQuantity: null, reorderLevel: 5, onHand: 5, reserved: 2, incoming: 0 })).to.equal(7);
      expect(proposedQuantity({ reorderQuantity: 50, reorderLevel: 10, onHand: 0, reserved: 0, incoming: 60 })).to.equal(-10);
      expect(proposedQuantity({ reorderQuantity: 1_000_000_000, reorderLevel: 10, onHand: 0, reserved: 0, incoming: 0 })).to.equal(1_000_000);
    });
  });
});
