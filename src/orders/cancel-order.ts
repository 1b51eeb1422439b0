import { AppError } from '../platform/errors';
import { isStaff, type Actor } from '../platform/http/contract';
import { assertTransition } from './order-state-machine';
import { getOrder } from './read-orders';
import { lockVisible, transition } from './order-transition';
import type { OrderContext } from './order-context';
import type { OrderView } from './order-view';

/**
 * A customer may cancel its own unpaid order; staff may cancel up to in_preparation. The cancel,
 * the stock released and the refunds recorded commit together; the refunds are then made at the
 * provider (a failure is retried in the background, the order stays cancelled).
 */
export async function cancelOrder(ctx: OrderContext, id: string, reason: string | null, actor: Actor): Promise<OrderView> {
  await ctx.db.transaction(async (tx) => {
    const order = await lockVisible(tx, id, actor);
    if (!isStaff(actor) && order.status !== 'pending_payment') {
      if (order.status === 'cancelled') assertTransition(order.status, 'cancelled');
      throw new AppError('cancel-not-allowed', 409, `This order is ${order.status}; once paid, only staff can cancel it.`, {
        extra: { currentStatus: order.status, allowedStatuses: [] },
      });
    }
    await transition(ctx, tx, order, 'cancelled', actor, reason);
  });
  await ctx.payments.refundNow(id);
  return getOrder(ctx, id, actor);
}
