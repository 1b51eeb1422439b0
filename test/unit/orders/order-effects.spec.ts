import { expect } from 'chai';
import { TRANSITIONS, TRANSITION_EFFECTS, effectsOf, type OrderStatus } from '../../../src/orders';

describe('order transition effects (unit)', () => {
  it('lists effects only for transitions the state machine allows', () => {
    for (const edge of Object.keys(TRANSITION_EFFECTS)) {
      const [from, to] = edge.split('->') as [OrderStatus, OrderStatus];
      expect(TRANSITIONS[from], edge).to.include(to);
    }
  });

  it('releases stock on every cancel, refunds only a paid order, closes the shipments on delivery', () => {
    expect(effectsOf('pending_payment', 'cancelled')).to.deep.equal(['release-stock']);
    expect(effectsOf('paid', 'cancelled')).to.deep.equal(['release-stock', 'refund']);
    expect(effectsOf('in_preparation', 'cancelled')).to.deep.equal(['release-stock', 'refund']);
    expect(effectsOf('shipped', 'delivered')).to.deep.equal(['deliver-shipments']);
  });

  it('books no sale on a fulfilment transition: each shipment books its own units', () => {
    for (const [from, to] of [
      ['in_preparation', 'partially_shipped'],
      ['in_preparation', 'shipped'],
      ['partially_shipped', 'partially_shipped'],
      ['partially_shipped', 'shipped'],
      ['shipped', 'partially_shipped'],
    ] as const)
      expect(effectsOf(from, to), `${from}->${to}`).to.deep.equal([]);
  });

  it('gives the payment and preparation steps no side effect', () => {
    expect(effectsOf('pending_payment', 'paid')).to.deep.equal([]);
    expect(effectsOf('paid', 'in_preparation')).to.deep.equal([]);
  });
});
