export { OrdersService } from './orders.service';
export type { OrderView } from './order-view';
export type { OrderContext, CustomerLookup } from './order-context';
export { OrderExpirySweeper } from './order-expiry.sweeper';
export { createOrdersRouter } from './orders.routes';
export { TRANSITIONS, canTransition, assertTransition, type OrderStatus } from './order-state-machine';
export { TRANSITION_EFFECTS, effectsOf, type OrderEffect } from './order-effects';
export { lineAmounts, sumTotals } from './order-totals';
