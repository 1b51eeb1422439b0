import type { CustomerLimits } from '../platform/config';
import { AppError, ConflictError } from '../platform/errors';
import type { Tx } from '../platform/db/db';
import { orderRepository as orders } from './order.repository';

/**
 * What one customer may hold, so a self-registered account cannot hoard the catalog. Staff ordering
 * on a customer's behalf are exempt (the callers skip these checks for them); 0 turns a limit off.
 */
export function assertLineQuantities(limits: CustomerLimits, items: readonly { productId: string; quantity: number }[]): void {
  const limit = limits.maxUnitsPerLine;
  if (limit === 0) return;
  const over = items.filter((line) => line.quantity > limit).map((line) => line.productId);
  if (over.length === 0) return;
  throw new AppError('line-quantity-over-limit', 422, `A customer may order at most ${limit} units of a product per order; nothing was reserved.`, {
    extra: { limit, productIds: over },
  });
}

/** Counts the open unpaid orders under the customer's placement lock (held until the transaction ends). */
export async function assertOpenOrdersBelowLimit(tx: Tx, limits: CustomerLimits, customerId: string): Promise<void> {
  const limit = limits.maxOpenUnpaidOrders;
  if (limit === 0) return;
  if ((await orders.lockAndCountUnpaid(tx, customerId)) < limit) return;
  throw new ConflictError('too-many-open-orders', `A customer may hold at most ${limit} unpaid orders; pay or cancel one first. Nothing was reserved.`, {
    limit,
  });
}

export function assertGrossWithinLimit(limits: CustomerLimits, grossCents: number): void {
  const limit = limits.maxOrderGrossCents;
  if (limit === 0 || grossCents <= limit) return;
  throw new AppError('order-total-over-limit', 422, `A customer order may total at most ${limit} cents (VAT included); nothing was reserved.`, {
    extra: { limit, grossCents },
  });
}
