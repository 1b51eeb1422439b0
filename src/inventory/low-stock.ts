import type { Tx } from '../platform/db/db';
import { recordEvent } from '../platform/events';

/** The stock figures the low-stock rule reads. */
export interface StockLevel {
  id: string;
  sku: string;
  name: string;
  onHand: number;
  reserved: number;
  reorderLevel: number;
}

/** The one low-stock rule: `available` goes from above the reorder level to at or below it. */
export function crossesLowStock(before: StockLevel, after: StockLevel): boolean {
  const availableBefore = before.onHand - before.reserved;
  const availableAfter = after.onHand - after.reserved;
  return availableBefore > before.reorderLevel && availableAfter <= after.reorderLevel;
}

/** Sends `inventory.low_stock` to staff, in the caller's transaction, when the change crosses the level. */
export async function recordLowStockIfCrossed(tx: Tx, before: StockLevel, after: StockLevel): Promise<void> {
  if (!crossesLowStock(before, after)) return;
  await recordEvent(tx, {
    type: 'inventory.low_stock',
    data: { productId: after.id, sku: after.sku, name: after.name, available: after.onHand - after.reserved, reorderLevel: after.reorderLevel },
  });
}

/*
 * The same rule in SQL is the stored generated column `products.low_stock` (migration 0008,
 * `on_hand - reserved <= reorder_level`): lists filter on it through partial indexes.
 */
