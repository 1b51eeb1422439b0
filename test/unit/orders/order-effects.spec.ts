import { expect } from 'chai';
import { TRANSITIONS, TRANSITION_EFFECTS, effectsOf, type OrderStatus } from '../../../src/orders';

describe('order transition effects (unit)', () => {
  it('lists effects only for transitions the state machine allows', () => {
    for (const edge of Object.keys(TRANSITION_EFFECTS)) {
      const [from, to] = edge.split('->') as [OrderStatus, OrderStatus];
      expect(TRANSITIONS[from], edge).to.include(to);
    }
  });

  it('releases stock on every cancel, refunds only a paid order, books the sale on shipping', () => {
    expect(effectsOf('pending_payment', 'cancelled')).to.deep.equal(['release-stock']);
    expect(effectsOf('paid', 'cancelled')).to.deep.equal(['release-stock', 'refund']);
    expect(effectsOf('in_preparation', 'cancelled')).to.deep.equal(['release-stock', 'refund']);
    expect(effectsOf('in_preparation', 'shipped')).to.deep.equal(['book-sale']);
    expect(effectsOf('shipped', 'delivered')).to.deep.equal(['deliver-shipments']);
  });

  it('gives the payment and preparation steps no side effect', () => {
    expect(effectsOf('pending_payment', 'paid')).to.deep.equal([]);
    expect(effectsOf('paid', 'in_preparation')).to.deep.equal([]);
  });
});
