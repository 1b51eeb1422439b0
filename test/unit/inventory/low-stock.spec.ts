import { expect } from 'chai';
import { crossesLowStock, type StockLevel } from '../../../src/inventory';
import { likePattern } from '../../../src/platform/db/like';

const level = (onHand: number, reserved: number, reorderLevel = 5): StockLevel => ({
  id: 'p',
  sku: 'SKU',
  name: 'Product',
  onHand,
  reserved,
  reorderLevel,
});

describe('low-stock rule (unit)', () => {
  it('fires when available goes from above the reorder level to at or below it', () => {
    expect(crossesLowStock(level(10, 0), level(10, 5))).to.equal(true); // 10 → 5
    expect(crossesLowStock(level(6, 0), level(4, 0))).to.equal(true);
  });

  it('stays quiet when already low, when still above, or when stock comes back', () => {
    expect(crossesLowStock(level(5, 0), level(4, 0))).to.equal(false);
    expect(crossesLowStock(level(10, 0), level(10, 4))).to.equal(false);
    expect(crossesLowStock(level(3, 0), level(9, 0))).to.equal(false);
  });

  it('fires when a higher reorder level puts unchanged stock below it', () => {
    expect(crossesLowStock(level(8, 0, 5), level(8, 0, 10))).to.equal(true);
  });
});

describe('LIKE escaping (unit)', () => {
  it('matches the text literally: %, _ and the escape itself are escaped', () => {
    expect(likePattern('50%_off\\')).to.equal('%50\\%\\_off\\\\%');
    expect(likePattern('QS-2026')).to.equal('%QS-2026%');
  });
});
