import { AppError, ValidationError } from '../platform/errors';
import { isStaff, type Actor, type RequestBody } from '../platform/http/contract';
import type { StoredResult } from '../platform/idempotency';
import { lineAmounts, sumTotals } from './order-totals';
import { orderRepository as orders } from './order.repository';
import { toOrderLine, toOrderView, type OrderView } from './order-view';
import { customerFrom, type OrderContext } from './order-context';
import { assertGrossWithinLimit, assertLineQuantities, assertOpenOrdersBelowLimit } from './customer-limits';

/**
 * Places an order: in one transaction, reserve the stock (inventory locks the product rows in id
 * order), price the lines from the products' snapshot, write the order, its lines, its first history
 * row and `order.created` (one statement). Replays under the same Idempotency-Key. Rate-limited per user. A customer ordering for itself
 * meets the customer limits (`customer-limits.ts`); the open orders are counted under its placement
 * lock, taken before any product row.
 */
export async function placeOrder(
  ctx: OrderContext,
  input: RequestBody<'createOrder'>,
  actor: Actor,
  idempotencyKey: string | undefined,
): Promise<StoredResult<OrderView>> {
  await ctx.rateLimits.orders.consume(actor.id);
  const customerId = await resolveCustomer(ctx, input.customerId, actor);
  // UUIDs are case-insensitive; the rows come back lower-case.
  const items = input.items.map((line) => ({ ...line, productId: line.productId.toLowerCase() }));
  assertNoRepeatedProduct(items);
  const limited = !isStaff(actor);
  if (limited) assertLineQuantities(ctx.customerLimits, items);
  return ctx.idempotency.run({ userId: actor.id, scope: 'createOrder', key: idempotencyKey, fingerprint: input }, async (tx) => {
    if (limited) await assertOpenOrdersBelowLimit(tx, ctx.customerLimits, customerId);
    // Read before the product rows are locked, so that the lock is not held for one more round trip.
    const customers = await ctx.customers.summaries([customerId], tx);
    const reserved = await ctx.inventory.reserve(tx, items);
    const lines = reserved.map((l) => ({ ...l, ...lineAmounts(l) }));
    const totals = sumTotals(lines);
    if (limited) assertGrossWithinLimit(ctx.customerLimits, totals.grossCents);
    const notes = input.notes ?? null;
    const order = await orders.insertPlaced(tx, {
      customerId,
      totals,
      shippingAddress: input.shippingAddress,
      notes,
      ttlMinutes: ctx.reservationTtlMinutes,
      actor,
      lines,
    });
    return { status: 201, body: toOrderView(order, customerFrom(customers, customerId), lines.map(toOrderLine), [], []) };
  });
}

function assertNoRepeatedProduct(items: readonly { productId: string }[]): void {
  const seen = new Map<string, number>();
  const errors: { path: string; message: string }[] = [];
  items.forEach((line, i) => {
    const first = seen.get(line.productId);
    if (first !== undefined) errors.push({ path: `body.items[${i}].productId`, message: `repeats the product of items[${first}]` });
    else seen.set(line.productId, i);
  });
  if (errors.length > 0) throw new ValidationError('The same product may appear only once per order.', errors);
}

/** A customer orders for itself; staff name an enabled customer. */
async function resolveCustomer(ctx: OrderContext, requested: string | undefined, actor: Actor): Promise<string> {
  if (!isStaff(actor)) {
    if (requested !== undefined && requested !== actor.id) {
      throw new ValidationError('A customer orders for itself only.', [{ path: 'body.customerId', message: 'may not name another customer' }]);
    }
    return actor.id;
  }
  if (requested === undefined) {
    throw new ValidationError('Staff must name the customer the order is for.', [{ path: 'body.customerId', message: 'is required for staff' }]);
  }
  const customer = await ctx.findCustomer(requested);
  if (!customer || customer.role !== 'customer') throw new AppError('customer-not-found', 404, 'No customer has this id.');
  if (customer.disabled) throw new AppError('customer-disabled', 409, 'This customer account is disabled.');
  return requested;
}
