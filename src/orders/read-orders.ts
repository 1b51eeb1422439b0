import type { Transaction } from 'sequelize';
import { cursorScope, keysetAfter, toPage, type Page } from '../platform/http/pagination';
import { isStaff, type Actor } from '../platform/http/contract';
import type { OrderStatus } from './order-state-machine';
import { orderRepository as orders } from './order.repository';
import { toOrderLine, toHistoryEntry, toOrderView, toSummary, type HistoryEntry, type OrderSummary, type OrderView } from './order-view';
import { visibleTo } from './order-transition';
import type { OrderContext } from './order-context';

export interface OrderQuery {
  limit: number;
  cursor?: string;
  status?: OrderStatus;
  customerId?: string;
  createdFrom?: string;
  createdTo?: string;
  q?: string;
}

/** The whole order with its lines, payments and shipments (inside `tx` when given: after a change). */
export async function getOrder(ctx: OrderContext, id: string, actor: Actor, tx?: Transaction): Promise<OrderView> {
  const target = tx ?? ctx.sequelize;
  const row = visibleTo(await orders.find(target, id), actor);
  // Sequential: inside a transaction they share one connection.
  const items = await orders.items(target, id);
  const payments = await ctx.payments.listForOrder(target, id);
  const shipments = await ctx.shipping.listForOrder(target, id);
  return toOrderView(row, items.map(toOrderLine), payments, shipments);
}

/** Newest first; a customer sees only its own orders. */
export async function listOrders(ctx: OrderContext, query: OrderQuery, actor: Actor): Promise<Page<OrderSummary>> {
  const customerId = isStaff(actor) ? query.customerId : actor.id;
  const scope = cursorScope(query, { customerId });
  const after = keysetAfter(query.cursor, ['timestamp', 'uuid'], scope);
  const rows = await orders.list(ctx.sequelize, { ...query, customerId, after });
  return toPage(rows, query.limit, toSummary, (r) => [new Date(r.created_at).toISOString(), r.id], scope);
}

export async function orderHistory(ctx: OrderContext, id: string, actor: Actor): Promise<{ items: HistoryEntry[] }> {
  visibleTo(await orders.find(ctx.sequelize, id), actor);
  return { items: (await orders.history(ctx.sequelize, id)).map(toHistoryEntry) };
}
