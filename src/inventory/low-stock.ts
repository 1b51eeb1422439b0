import type { Transaction } from 'sequelize';
import { recordEvent } from '../platform/events';

/** The stock figures the low-stock rule reads. */
export interface StockLevel {
  id: string;
  sku: string;
  name: string;
  on_hand: number;
  reserved: number;
  reorder_level: number;
}

/** The one low-stock rule: `available` goes from above the reorder level to at or below it. */
export function crossesLowStock(before: StockLevel, after: StockLevel): boolean {
  const availableBefore = before.on_hand - before.reserved;
  const availableAfter = after.on_hand - after.reserved;
  return availableBefore > before.reorder_level && availableAfter <= after.reorder_level;
}

/** Sends `inventory.low_stock` to staff, in the caller's transaction, when the change crosses the level. */
export async function recordLowStockIfCrossed(tx: Transaction, before: StockLevel, after: StockLevel): Promise<void> {
  if (!crossesLowStock(before, after)) return;
  await recordEvent(tx, {
    type: 'inventory.low_stock',
    data: { productId: after.id, sku: after.sku, name: after.name, available: after.on_hand - after.reserved, reorderLevel: after.reorder_level },
  });
}

/*
 * The same rule in SQL is the stored generated column `products.low_stock` (migration 0008,
 * `on_hand - reserved <= reorder_level`): lists filter on it through partial indexes.
 */
