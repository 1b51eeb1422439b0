import type { Tx } from '../platform/db/db';
import { recordEvent } from '../platform/events';
import type { Actor } from '../platform/http/contract';
import { NotFoundError } from '../platform/errors';
import { isStaff } from '../platform/http/contract';
import { assertTransition, type OrderStatus } from './order-state-machine';
import { effectsOf, type OrderEffect } from './order-effects';
import { unitsStillToShip } from './order-fulfilment';
import { orderRepository as orders, type OrderRecord } from './order.repository';
import type { OrderContext } from './order-context';

type EffectRunner = (ctx: OrderContext, tx: Tx, order: OrderRecord, actor: Actor | null) => Promise<void>;

const RUN_EFFECT: Record<OrderEffect, EffectRunner> = {
  'release-stock': async (ctx, tx, order) => {
    const open = unitsStillToShip(await orders.lineCounts(tx, order.id));
    if (open.length === 0) return;
    await ctx.inventory.release(tx, open);
    await orders.addUnits(tx, order.id, 'cancelled', open, 1);
  },
  refund: (ctx, tx, order) => ctx.payments.requestRefunds(tx, order),
  'deliver-shipments': (ctx, tx, order) => ctx.shipping.markDelivered(tx, order.id),
};

/**
 * The one path for every status change, in the caller's transaction (which holds the order's lock):
 * guard, the transition's effects, the status, its history row and its event, which carries every
 * line's counts after the change and the shipment behind it (`shipmentId`, or null).
 */
export async function transition(
  ctx: OrderContext,
  tx: Tx,
  order: OrderRecord,
  to: OrderStatus,
  actor: Actor | null,
  reason: string | null,
  shipmentId: string | null = null,
): Promise<void> {
  const from = order.status;
  assertTransition(from, to);
  for (const effect of effectsOf(from, to)) await RUN_EFFECT[effect](ctx, tx, order, actor);
  await orders.setStatus(tx, order.id, to);
  await orders.writeHistory(tx, order.id, from, to, actor, reason);
  const lines = await orders.lineCounts(tx, order.id);
  await recordEvent(tx, {
    type: 'order.status_changed',
    customerId: order.customerId,
    data: {
      orderId: order.id,
      number: order.number,
      customerId: order.customerId,
      from,
      to,
      actorId: actor?.id ?? null,
      actorRole: actor?.role ?? 'system',
      reason,
      lines: lines.map((l) => ({ productId: l.productId, quantity: l.quantity, shippedQuantity: l.shippedQuantity, cancelledQuantity: l.cancelledQuantity })),
      shipmentId,
    },
  });
  order.status = to;
}

/** Another customer's order is reported as missing: its existence is not revealed. */
export function visibleTo<T extends OrderRecord>(order: T | undefined, actor: Actor): T {
  if (!order || (!isStaff(actor) && order.customerId !== actor.id)) throw new NotFoundError('The order');
  return order;
}

/** Locks the order for a change by `actor` (404 when it may not see it). */
export async function lockVisible(tx: Tx, id: string, actor: Actor): Promise<OrderRecord> {
  return visibleTo(await orders.lock(tx, id), actor);
}
