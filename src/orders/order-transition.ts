import type { Transaction } from 'sequelize';
import { recordEvent } from '../platform/events';
import type { Actor } from '../platform/http/contract';
import { NotFoundError } from '../platform/errors';
import { isStaff } from '../platform/http/contract';
import { assertTransition, type OrderStatus } from './order-state-machine';
import { effectsOf, type OrderEffect } from './order-effects';
import { orderRepository as orders, type OrderRow } from './order.repository';
import type { OrderContext } from './order-context';

type EffectRunner = (ctx: OrderContext, tx: Transaction, order: OrderRow, actor: Actor | null) => Promise<void>;

const RUN_EFFECT: Record<OrderEffect, EffectRunner> = {
  'release-stock': async (ctx, tx, order) => ctx.inventory.release(tx, await orders.stockLines(tx, order.id)),
  'book-sale': async (ctx, tx, order, actor) => ctx.inventory.commitSale(tx, order.id, await orders.stockLines(tx, order.id), actor),
  refund: (ctx, tx, order) => ctx.payments.requestRefunds(tx, { id: order.id, customerId: order.customer_id }),
  'deliver-shipments': (ctx, tx, order) => ctx.shipping.markDelivered(tx, order.id),
};

/**
 * The one path for every status change, in the caller's transaction (which holds the order's lock):
 * guard, the transition's effects, the status, its history row and its event.
 */
export async function transition(ctx: OrderContext, tx: Transaction, order: OrderRow, to: OrderStatus, actor: Actor | null, reason: string | null): Promise<void> {
  const from = order.status;
  assertTransition(from, to);
  for (const effect of effectsOf(from, to)) await RUN_EFFECT[effect](ctx, tx, order, actor);
  await orders.setStatus(tx, order.id, to);
  await orders.writeHistory(tx, order.id, from, to, actor, reason);
  await recordEvent(tx, {
    type: 'order.status_changed',
    customerId: order.customer_id,
    data: {
      orderId: order.id,
      number: order.number,
      customerId: order.customer_id,
      from,
      to,
      actorId: actor?.id ?? null,
      actorRole: actor?.role ?? 'system',
      reason,
    },
  });
  order.status = to;
}

/** Another customer's order is reported as missing: its existence is not revealed. */
export function visibleTo<T extends OrderRow>(row: T | undefined, actor: Actor): T {
  if (!row || (!isStaff(actor) && row.customer_id !== actor.id)) throw new NotFoundError('The order');
  return row;
}

/** Locks the order for a change by `actor` (404 when it may not see it). */
export async function lockVisible(tx: Transaction, id: string, actor: Actor): Promise<OrderRow> {
  return visibleTo(await orders.lock(tx, id), actor);
}
