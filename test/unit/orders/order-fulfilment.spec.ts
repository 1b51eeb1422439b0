import { expect } from 'chai';
import { AppError, ValidationError } from '../../../src/platform/errors';
import { fulfilmentStatus, grossOfUnits, planShipment, unitsStillToShip, type LineCounts } from '../../../src/orders/order-fulfilment';
import { canRequestTransition, pathTo } from '../../../src/orders/order-state-machine';

const A = '3f6c1b9e-8d2a-4c7e-9b1f-5a2d7e4c8b10';
const B = '7a1e2d3c-4b5f-4a6e-8c7d-9e0f1a2b3c4d';
const line = (productId: string, quantity: number, shippedQuantity = 0, cancelledQuantity = 0): LineCounts => ({
  productId,
  quantity,
  shippedQuantity,
  cancelledQuantity,
});
const none = { counting: 0, delivered: 0 };

describe('fulfilment rules (unit)', () => {
  it('derives the status from the counts only', () => {
    expect(fulfilmentStatus([line(A, 10), line(B, 5)], none)).to.equal('in_preparation');
    expect(fulfilmentStatus([line(A, 10, 4), line(B, 5)], { counting: 1, delivered: 0 })).to.equal('partially_shipped');
    expect(fulfilmentStatus([line(A, 3, 2)], { counting: 1, delivered: 1 })).to.equal('partially_shipped');
    expect(fulfilmentStatus([line(A, 10, 10), line(B, 5, 5)], { counting: 2, delivered: 1 })).to.equal('shipped');
    expect(fulfilmentStatus([line(A, 10, 4, 6), line(B, 5, 5)], { counting: 1, delivered: 0 })).to.equal('shipped');
    expect(fulfilmentStatus([line(A, 10, 4, 6)], { counting: 2, delivered: 2 })).to.equal('delivered');
    expect(fulfilmentStatus([line(A, 10, 0, 10)], none)).to.equal('cancelled');
  });

  it('plans every unit still to ship when no lines are given', () => {
    expect(planShipment([line(A, 10, 4), line(B, 5, 5), line('c', 2, 0, 1)], undefined)).to.deep.equal([
      { productId: A, quantity: 6 },
      { productId: 'c', quantity: 1 },
    ]);
    expect(unitsStillToShip([line(A, 10, 4, 6), line(B, 5, 1)])).to.deep.equal([{ productId: B, quantity: 4 }]);
  });

  it('refuses a product not on the order or repeated with a 400 naming the line, and more than is left with a 409 naming the product', () => {
    const lines = [line(A, 10, 4), line(B, 5)];
    const invalid = (asked: { productId: string; quantity: number }[]) => {
      try {
        planShipment(lines, asked);
      } catch (err) {
        return err;
      }
      throw new Error('accepted');
    };
    const unknown = invalid([{ productId: 'ffffffff-0000-4000-8000-000000000000', quantity: 1 }]) as ValidationError;
    expect(unknown).to.be.instanceOf(ValidationError);
    expect(unknown.errors).to.deep.equal([{ path: 'body.lines[0].productId', message: 'is not a product of this order' }]);
    const repeated = invalid([
      { productId: B, quantity: 1 },
      { productId: B, quantity: 1 },
    ]) as ValidationError;
    expect(repeated.errors).to.deep.equal([{ path: 'body.lines[1].productId', message: 'repeats the product of lines[0]' }]);
    const over = invalid([{ productId: A, quantity: 7 }]) as AppError;
    expect(over).to.include({ code: 'over-shipment', status: 409 });
    expect(over.extra).to.deep.equal({ productId: A, remainingQuantity: 6 });
    expect(planShipment(lines, [{ productId: A, quantity: 6 }])).to.deep.equal([{ productId: A, quantity: 6 }]);
  });

  it('prices cancelled units per line with the order rounding', () => {
    // 6 × 449 = 2694 net, 592.68 VAT → 593: 3287; 1 × 5 at 10 % = 0.5 → 1: 6
    expect(
      grossOfUnits(
        [
          { productId: A, quantity: 10, unitPriceCents: 449, vatRate: 22 },
          { productId: B, quantity: 2, unitPriceCents: 5, vatRate: 10 },
        ],
        [
          { productId: A, quantity: 6 },
          { productId: B, quantity: 1 },
        ],
      ),
    ).to.equal(3287 + 6);
  });

  it('walks the edges of the table to a derived status, and keeps the counts-only edges from staff requests', () => {
    expect(pathTo('partially_shipped', 'delivered')).to.deep.equal(['shipped', 'delivered']);
    expect(pathTo('shipped', 'in_preparation')).to.deep.equal(['in_preparation']);
    expect(pathTo('shipped', 'shipped')).to.deep.equal([]);
    expect(canRequestTransition('shipped', 'in_preparation')).to.equal(false);
    expect(canRequestTransition('paid', 'in_preparation')).to.equal(true);
    expect(canRequestTransition('shipped', 'delivered')).to.equal(true);
  });
});
