import type { Actor } from '../platform/http/contract';
import { getOrder } from './read-orders';
import { canRequestTransition, illegalTransition } from './order-state-machine';
import { lockVisible, transition } from './order-transition';
import type { OrderContext } from './order-context';
import type { OrderView } from './order-view';

/** Staff's manual transitions: in_preparation, delivered, cancelled (refunds made after the commit, as in cancel-order.ts). */
export async function changeStatus(
  ctx: OrderContext,
  id: string,
  to: 'in_preparation' | 'delivered' | 'cancelled',
  reason: string | null,
  actor: Actor,
): Promise<OrderView> {
  await ctx.db.transaction(async (tx) => {
    const order = await lockVisible(tx, id, actor);
    // Back to preparation only through a cancelled shipment (the counts), never by request.
    if (!canRequestTransition(order.status, to)) throw illegalTransition(order.status, `cannot become ${to}`);
    await transition(ctx, tx, order, to, actor, reason);
  });
  if (to === 'cancelled') await ctx.payments.refundNow(id);
  return getOrder(ctx, id, actor);
}
