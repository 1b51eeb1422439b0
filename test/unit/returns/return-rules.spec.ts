import { expect } from 'chai';
import { AppError } from '../../../src/platform/errors';
import { checkReturnable, outcomesOf } from '../../../src/returns/return-rules';
import { RETURN_TRANSITIONS, assertReturnTransition } from '../../../src/returns/return-state-machine';
import type { ReturnLineRecord } from '../../../src/returns/return.repository';

const line = (productId: string, quantity: number): ReturnLineRecord => ({
  productId,
  sku: productId.toUpperCase(),
  name: productId,
  quantity,
  reason: 'damaged',
  receivedQuantity: 0,
  restockedQuantity: 0,
  scrappedQuantity: 0,
  unitGrossCents: '1220',
  refundCents: '0',
});

function refusal(fn: () => unknown): AppError {
  try {
    fn();
  } catch (err) {
    if (err instanceof AppError) return err;
    throw err;
  }
  throw new Error('expected a refusal');
}

describe('returns: the rules (unit)', () => {
  it('allows at most shipped minus what other returns hold, per line, naming the first line beyond', () => {
    const shipped = new Map([
      ['a', 3],
      ['b', 2],
    ]);
    expect(() => checkReturnable([{ productId: 'a', quantity: 3 }], shipped, new Map())).not.to.throw();
    const over = refusal(() => checkReturnable([{ productId: 'a', quantity: 2 }], shipped, new Map([['a', 2]])));
    expect(over).to.include({ code: 'over-return', status: 409 });
    expect(over.extra).to.deep.equal({ productId: 'a', returnableQuantity: 1 });
    // Committed beyond shipped (a shipment cancelled since) never makes a negative room.
    expect(refusal(() => checkReturnable([{ productId: 'b', quantity: 1 }], shipped, new Map([['b', 5]]))).extra).to.deep.equal({
      productId: 'b',
      returnableQuantity: 0,
    });
  });

  it('reads a receipt: omitted lines received nothing, scrapped is the rest, restock above received is a 400, received above asked a 409', () => {
    const lines = [line('a', 3), line('b', 1)];
    expect(outcomesOf(lines, [{ productId: 'a', receivedQuantity: 2, restockQuantity: 1 }])).to.deep.equal([
      { productId: 'a', receivedQuantity: 2, restockedQuantity: 1, scrappedQuantity: 1 },
      { productId: 'b', receivedQuantity: 0, restockedQuantity: 0, scrappedQuantity: 0 },
    ]);
    expect(refusal(() => outcomesOf(lines, [{ productId: 'a', receivedQuantity: 1, restockQuantity: 2 }])).status).to.equal(400);
    expect(refusal(() => outcomesOf(lines, [{ productId: 'c', receivedQuantity: 1, restockQuantity: 0 }])).status).to.equal(400);
    expect(
      refusal(() =>
        outcomesOf(lines, [
          { productId: 'a', receivedQuantity: 1, restockQuantity: 0 },
          { productId: 'a', receivedQuantity: 1, restockQuantity: 0 },
        ]),
      ).status,
    ).to.equal(400);
    const over = refusal(() => outcomesOf(lines, [{ productId: 'b', receivedQuantity: 2, restockQuantity: 0 }]));
    expect(over).to.include({ code: 'over-receipt', status: 409 });
    expect(over.extra).to.deep.equal({ productId: 'b', requestedQuantity: 1 });
    expect(refusal(() => outcomesOf(lines, [])).status).to.equal(400);
    expect(refusal(() => outcomesOf(lines, [{ productId: 'a', receivedQuantity: 0, restockQuantity: 0 }])).status).to.equal(400);
  });

  it('walks the life table, and refuses any other step with the allowed ones', () => {
    expect(RETURN_TRANSITIONS).to.deep.equal({
      requested: ['approved', 'rejected', 'cancelled'],
      approved: ['received', 'cancelled'],
      received: ['closed'],
      rejected: [],
      closed: [],
      cancelled: [],
    });
    expect(() => assertReturnTransition('approved', 'received')).not.to.throw();
    const wrong = refusal(() => assertReturnTransition('received', 'cancelled'));
    expect(wrong).to.include({ code: 'illegal-transition', status: 409 });
    expect(wrong.extra).to.deep.equal({ currentReturnStatus: 'received', allowedReturnStatuses: ['closed'] });
  });
});
