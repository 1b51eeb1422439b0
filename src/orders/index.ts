export { OrdersService, type OrderView } from './orders.service';
export { OrderExpirySweeper } from './order-expiry.sweeper';
export { createOrdersRouter } from './orders.routes';
export { TRANSITIONS, canTransition, assertTransition, type OrderStatus } from './order-state-machine';
export { lineAmounts, sumTotals } from './order-totals';
