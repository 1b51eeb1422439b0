import { orderRepository as orders } from './order.repository';
import { transition } from './order-transition';
import type { OrderContext } from './order-context';

/**
 * Cancels unpaid orders past their reservedUntil and releases their stock. Rows are claimed with
 * SKIP LOCKED, so several instances sweeping at once never handle the same order twice, and an
 * order being paid right now is simply skipped this round.
 */
export async function expireOverdue(ctx: OrderContext, batchSize = 50): Promise<number> {
  let expired = 0;
  // One order per transaction: each locks its own products in id order, so the sweep can never
  // deadlock with order placement.
  while (expired < batchSize) {
    const done = await ctx.db.transaction(async (tx) => {
      const order = await orders.claimOverdue(tx);
      if (!order) return false;
      await transition(ctx, tx, order, 'cancelled', null, 'payment-timeout');
      return true;
    });
    if (!done) break;
    expired += 1;
  }
  if (expired > 0) ctx.logger.info({ count: expired }, 'expired unpaid orders');
  return expired;
}
