import { expect } from 'chai';
import { TRANSITIONS, canTransition, lineAmounts, sumTotals } from '../../../src/orders';

describe('order rules (unit)', () => {
  it('allows exactly the transitions of the design', () => {
    expect(TRANSITIONS).to.deep.equal({
      pending_payment: ['paid', 'cancelled'],
      paid: ['in_preparation', 'cancelled'],
      in_preparation: ['partially_shipped', 'shipped', 'cancelled'],
      partially_shipped: ['partially_shipped', 'shipped', 'in_preparation'],
      shipped: ['delivered', 'partially_shipped', 'in_preparation'],
      delivered: [],
      cancelled: [],
    });
    expect(canTransition('shipped', 'cancelled')).to.equal(false);
    expect(canTransition('partially_shipped', 'cancelled')).to.equal(false);
  });

  it('rounds VAT half up per line in integer cents', () => {
    expect(lineAmounts({ quantity: 1, unitPriceCents: 25, vatRate: 22 })).to.deep.equal({ netCents: 25, vatCents: 6, grossCents: 31 }); // 5.5 → 6
    expect(lineAmounts({ quantity: 1, unitPriceCents: 5, vatRate: 10 })).to.deep.equal({ netCents: 5, vatCents: 1, grossCents: 6 }); // 0.5 → 1
    expect(lineAmounts({ quantity: 1, unitPriceCents: 4, vatRate: 10 })).to.deep.equal({ netCents: 4, vatCents: 0, grossCents: 4 }); // 0.4 → 0
    expect(lineAmounts({ quantity: 10000, unitPriceCents: 100000000, vatRate: 22 }).vatCents).to.equal(220000000000);
    expect(
      sumTotals([
        { netCents: 1, vatCents: 2, grossCents: 3 },
        { netCents: 4, vatCents: 5, grossCents: 9 },
      ]),
    ).to.deep.equal({ netCents: 5, vatCents: 7, grossCents: 12 });
  });
});
