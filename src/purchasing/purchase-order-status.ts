import type { Schemas } from '../platform/http/contract';

export type PurchaseOrderStatus = Schemas['PurchaseOrderStatus'];

/** The steps a purchase order may take, from each status (receipts derive the rest from counts). */
export const PURCHASE_ORDER_STEPS = {
  send: ['draft'],
  cancel: ['draft', 'sent'],
  // A received order still takes a receipt: only an allowed over-receipt passes the counts (a late extra delivery).
  receive: ['sent', 'partially_received', 'received'],
  editLines: ['draft'],
  editDetails: ['draft', 'sent', 'partially_received'],
} as const satisfies Record<string, readonly PurchaseOrderStatus[]>;

export type PurchaseOrderStep = keyof typeof PURCHASE_ORDER_STEPS;

export function allows(step: PurchaseOrderStep, status: PurchaseOrderStatus): boolean {
  return (PURCHASE_ORDER_STEPS[step] as readonly PurchaseOrderStatus[]).includes(status);
}

/**
 * The status after a receipt, from the lines' counts alone: `received` once every line has all its
 * units (or more, by an allowed over-receipt), else `partially_received`.
 */
export function statusFromCounts(lines: readonly { quantity: number; receivedQuantity: number }[]): PurchaseOrderStatus {
  return lines.every((l) => l.receivedQuantity >= l.quantity) ? 'received' : 'partially_received';
}

/** Units a line still brings: what was ordered less what was received, never below zero. */
export function stillExpected(line: { quantity: number; receivedQuantity: number }): number {
  return Math.max(0, line.quantity - line.receivedQuantity);
}
