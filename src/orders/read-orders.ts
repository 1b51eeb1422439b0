import type { Tx } from '../platform/db/db';
import { cursorScope, keysetAfter, toPage, type Page } from '../platform/http/pagination';
import { isStaff, type Actor } from '../platform/http/contract';
import type { OrderStatus } from './order-state-machine';
import { paymentsOfOrderSql, refundedCentsOfOrderSql } from '../payments';
import { shipmentsOfOrderSql } from '../shipping';
import { orderRepository as orders, type OrderReadRecord } from './order.repository';
import { orderReadSql } from './order-read.sql';
import { returnStatusOf, toHistoryEntry, toOrderView, toSummary, type HistoryEntry, type OrderSummary, type OrderView } from './order-view';
import { visibleTo } from './order-transition';
import { customerFrom, type OrderContext } from './order-context';

export interface OrderQuery {
  limit: number;
  cursor?: string;
  status?: OrderStatus[];
  customerId?: string;
  createdFrom?: string;
  createdTo?: string;
  q?: string;
}

/** The order read's statement, per context (its customer part comes from the context's users port): built once. */
const readStatements = new WeakMap<OrderContext, string>();

function readStatement(ctx: OrderContext): string {
  let text = readStatements.get(ctx);
  if (text === undefined) {
    text = orderReadSql({
      payments: paymentsOfOrderSql,
      shipments: shipmentsOfOrderSql,
      refundedCents: refundedCentsOfOrderSql,
      customer: ctx.customers.summarySql,
    });
    readStatements.set(ctx, text);
  }
  return text;
}

/**
 * The whole order with its lines, payments, shipments, refunds and customer (inside `tx` when given:
 * after a change), in one statement: each module writes its own part (`orderReadSql`).
 */
export async function getOrder(ctx: OrderContext, id: string, actor: Actor, tx?: Tx): Promise<OrderView> {
  const read = await orders.read(tx ?? ctx.db, readStatement(ctx), id);
  const order = visibleTo(read?.order, actor);
  const { lines, payments, shipments, refundedCents, customer, shippedUnits, returnedUnits } = read as OrderReadRecord;
  if (!customer) throw new Error(`order customer ${order.customerId} not found by users`);
  return toOrderView(
    order,
    customer,
    lines,
    payments,
    shipments,
    refundedCents,
    returnStatusOf([{ shippedQuantity: shippedUnits, returnedQuantity: returnedUnits }]),
  );
}

/**
 * Newest first; a customer sees only its own orders. Staff's `q` also matches the customer's name or
 * email: users answer the matching ids first, then one query reads the page, and one batched lookup
 * names the page's customers (never one per order).
 */
export async function listOrders(ctx: OrderContext, query: OrderQuery, actor: Actor): Promise<Page<OrderSummary>> {
  const staff = isStaff(actor);
  const customerId = staff ? query.customerId : actor.id;
  const scope = cursorScope(query, { customerId });
  const after = keysetAfter(query.cursor, ['timestamp', 'uuid'], scope);
  const qCustomerIds = staff && query.q ? await ctx.customers.idsMatching(query.q) : [];
  const found = await orders.list(ctx.db, { ...query, customerId, qCustomerIds, after });
  const customers = await ctx.customers.summaries(found.slice(0, query.limit).map((o) => o.customerId));
  return toPage(
    found,
    query.limit,
    (o) => toSummary(o, customerFrom(customers, o.customerId)),
    (o) => [new Date(o.createdAt).toISOString(), o.id],
    scope,
  );
}

/** Resolves when the order exists and the actor may see it; the 404 `not-found` otherwise (another module's list under an order). */
export async function checkOrderVisible(ctx: OrderContext, id: string, actor: Actor): Promise<void> {
  visibleTo(await orders.find(ctx.db, id), actor);
}

export async function orderHistory(ctx: OrderContext, id: string, actor: Actor): Promise<{ items: HistoryEntry[] }> {
  visibleTo(await orders.find(ctx.db, id), actor);
  return { items: (await orders.history(ctx.db, id)).map(toHistoryEntry) };
}
