import type { Actor } from '../platform/http/contract';
import type { StoredResult } from '../platform/idempotency';
import { grossOfUnits, unitsStillToShip } from './order-fulfilment';
import { illegalTransition } from './order-state-machine';
import { orderRepository as orders } from './order.repository';
import { lockVisible, transition } from './order-transition';
import { settleFulfilment } from './settle-fulfilment';
import { getOrder } from './read-orders';
import type { OrderContext } from './order-context';
import type { OrderView } from './order-view';

/** Orders with units that may still ship: what "cancel the rest" applies to. */
const WITH_UNITS_TO_SHIP = new Set(['pending_payment', 'paid', 'in_preparation', 'partially_shipped']);

/**
 * "Cancel the rest" (staff): whatever is still to ship will not. In one transaction under the
 * order's row lock: when nothing shipped, the whole order is cancelled (the cancel transition
 * releases every unit and refunds every captured payment whole, as `cancel-order.ts`); otherwise the
 * units still to ship are released and counted cancelled, the gross of those units — per line, with
 * the order's own rounding — is recorded as refunds of the captured payments (within what they
 * hold), and the order's status follows from its counts (`shipped`, or `delivered` when every
 * shipment already is). The refunds are made after the commit (`refundNow`; a failure is retried in
 * the background). Replays under the same Idempotency-Key.
 */
export async function cancelRemaining(
  ctx: OrderContext,
  id: string,
  reason: string,
  actor: Actor,
  idempotencyKey: string | undefined,
): Promise<StoredResult<OrderView>> {
  const request = { userId: actor.id, scope: 'cancelRemaining', key: idempotencyKey, fingerprint: { id, reason } };
  const result = await ctx.idempotency.run(request, async (tx) => {
    const order = await lockVisible(tx, id, actor);
    if (!WITH_UNITS_TO_SHIP.has(order.status)) throw illegalTransition(order.status, 'has nothing left to ship to cancel');
    const lines = await orders.lineCounts(tx, id);
    if (lines.every((l) => l.shippedQuantity === 0)) {
      await transition(ctx, tx, order, 'cancelled', actor, reason);
    } else {
      const rest = unitsStillToShip(lines);
      await ctx.inventory.release(tx, rest);
      await orders.addUnits(tx, id, 'cancelled', rest, 1);
      await ctx.payments.requestPartialRefund(tx, order, grossOfUnits(lines, rest));
      await settleFulfilment(ctx, tx, order, actor, reason, { shipmentId: null });
    }
    return { status: 200, body: await getOrder(ctx, id, actor, tx) };
  });
  if (result.replayed) return result;
  await ctx.payments.refundNow(id);
  // The refunds just made show on the payments (partially_refunded, refunded).
  return { ...result, body: await getOrder(ctx, id, actor) };
}
