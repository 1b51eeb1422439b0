import type { Tx } from '../platform/db/db';
import type { Actor } from '../platform/http/contract';
import { fulfilmentStatus } from './order-fulfilment';
import { pathTo, type OrderStatus } from './order-state-machine';
import { orderRepository as orders, type OrderRecord } from './order.repository';
import { transition } from './order-transition';
import type { OrderContext } from './order-context';

/** The statuses the counts decide between; an order before preparation or cancelled is left alone. */
const FULFILMENT: ReadonlySet<OrderStatus> = new Set(['in_preparation', 'partially_shipped', 'shipped', 'delivered']);

/**
 * Moves the order to the status its counts say (`fulfilmentStatus`), through the table's edges, in
 * the caller's transaction, which holds the order's row lock and has just changed the counts (a
 * shipment recorded or cancelled, the rest cancelled, a shipment delivered). The status is read from
 * the numbers as they are under that lock, so it never depends on the order events arrive in.
 * `announce`: a shipment was recorded, so an order that stays `partially_shipped` still writes its
 * transition (`partially_shipped → partially_shipped`): every parcel is announced once.
 */
export async function settleFulfilment(
  ctx: OrderContext,
  tx: Tx,
  order: OrderRecord,
  actor: Actor | null,
  reason: string | null,
  cause: { shipmentId: string | null; announce?: boolean },
): Promise<void> {
  if (!FULFILMENT.has(order.status)) return;
  const target = fulfilmentStatus(await orders.lineCounts(tx, order.id), await ctx.shipping.tally(tx, order.id));
  const steps = pathTo(order.status, target);
  if (steps.length === 0 && cause.announce && target === 'partially_shipped') steps.push('partially_shipped');
  for (const to of steps) await transition(ctx, tx, order, to, actor, reason, cause.shipmentId);
}
