import { expect } from 'chai';
import { barcodeKey, PackingTally, type TallyLine } from '../../../src/console/web/packing-tally';
import { describeProblem } from '../../../src/console/web/problem-text';
import { reasonText } from '../../../src/console/web/reason-text';

const line = (productId: string, barcode: string | null, remaining: number): TallyLine => ({
  productId,
  sku: `SKU-${productId}`,
  name: `Prodotto ${productId}`,
  barcode,
  remaining,
  packed: 0,
});

describe('console packing tally (what a scan counts)', () => {
  it('counts a unit per scan of a line’s barcode, up to what is left to ship, and refuses the next one', () => {
    const tally = new PackingTally([line('a', '8001120123459', 2), line('b', null, 1)]);
    expect(tally.scan('8001120123459')).to.include({ kind: 'counted' });
    expect(tally.scan(' 8001120123459 ')).to.include({ kind: 'counted' });
    const third = tally.scan('8001120123459');
    expect(third).to.include({ kind: 'too-many', code: '8001120123459' });
    expect(tally.shipmentLines()).to.deep.equal([{ productId: 'a', quantity: 2 }]);
    expect(tally.packedUnits).to.equal(2);
    expect(tally.remainingUnits).to.equal(3);
  });

  it('refuses a code of no line and counts nothing', () => {
    const tally = new PackingTally([line('a', '8001120123459', 2)]);
    expect(tally.scan('4006381333931')).to.deep.equal({ kind: 'unknown', code: '4006381333931' });
    expect(tally.scan('')).to.include({ kind: 'unknown' });
    expect(tally.packedUnits).to.equal(0);
  });

  it('reads a UPC-A and its EAN-13 with a leading zero as the same code, as the service does', () => {
    expect(barcodeKey('036000291452')).to.equal(barcodeKey('0036000291452'));
    const tally = new PackingTally([line('a', '0036000291452', 1)]);
    expect(tally.scan('036000291452')).to.include({ kind: 'counted' });
  });

  it('steps a line by hand within 0 and what is left, and keeps the parcel within fresh counts', () => {
    const tally = new PackingTally([line('a', null, 2), line('b', null, 3)]);
    expect(tally.step('a', -1)).to.equal(false);
    expect(tally.step('a', 1)).to.equal(true);
    expect(tally.step('a', 1)).to.equal(true);
    expect(tally.step('a', 1)).to.equal(false);
    expect(tally.step('b', 1)).to.equal(true);
    const lowered = tally.refresh(
      new Map([
        ['a', 1],
        ['b', 3],
      ]),
    );
    expect(lowered.map((l) => l.productId)).to.deep.equal(['a']);
    expect(tally.shipmentLines()).to.deep.equal([
      { productId: 'a', quantity: 1 },
      { productId: 'b', quantity: 1 },
    ]);
    tally.reset();
    expect(tally.packedUnits).to.equal(0);
  });
});

describe('console words for partial fulfilment (Italian)', () => {
  const problem = (extra: Record<string, unknown>) => ({ type: 'urn:x', title: 'x', status: 400, detail: 'English detail.', ...extra });

  it('says why a barcode was refused, from the service’s reason', () => {
    const text = describeProblem(
      problem({
        code: 'validation-failed',
        errors: [
          {
            path: 'body.barcode',
            message: 'has a wrong check digit: 8001120123459 would be valid (the last digit must be 9, not 8)',
          },
        ],
      }),
      400,
    );
    expect(text).to.equal(
      'Alcuni dati non sono validi. — codice a barre: cifra di controllo sbagliata: l’ultima cifra deve essere 9, non 8 (8001120123459 sarebbe valido)',
    );
    expect(
      describeProblem(
        problem({ code: 'validation-failed', errors: [{ path: 'body.barcode', message: 'must be 13 (EAN-13), 12 (UPC-A) or 8 (EAN-8) digits, got 5' }] }),
        400,
      ),
    ).to.contain('codice a barre: servono 13 cifre (EAN-13), 12 (UPC-A) o 8 (EAN-8), non 5');
    expect(describeProblem(problem({ code: 'barcode-taken', status: 409 }), 409)).to.equal('Un altro prodotto ha già questo codice a barre.');
  });

  it('names what is left to ship on an over-shipment, and the shipment reasons in the ledger', () => {
    expect(describeProblem(problem({ code: 'over-shipment', status: 409, productId: 'p', remainingQuantity: 6 }), 409)).to.equal(
      'Si chiede di spedire più pezzi di quanti ne restano da spedire: non è stato spedito nulla. — Ne restano 6 da spedire.',
    );
    expect(reasonText('shipment BRT-0001')).to.equal('spedizione BRT-0001');
    expect(reasonText('shipment 3b9d2f61-5c1e-4e8a-9f47-0a6b8c2d1e35 cancelled')).to.equal('spedizione annullata');
    expect(reasonText('shipment cancelled')).to.equal('spedizione annullata');
  });
});
