import type { OrderStatus } from './order-state-machine';

/** What a transition does besides changing the status, its history row and its event. */
export type OrderEffect = 'release-stock' | 'refund' | 'deliver-shipments';

type Edge = `${OrderStatus}->${OrderStatus}`;

/**
 * The side effects of each transition, in the order they run (all in the order's transaction).
 * Cancelling gives back the units still to ship (their reservation released, counted cancelled) and,
 * once paid, records the refunds (made at the provider after the commit, never under the lock: see
 * payments' `Refunds`); a staff's "delivered" closes the shipments in transit. Shipping books no sale
 * here: each shipment books its own units when it is recorded (`ship-order.ts`), and the fulfilment
 * statuses follow from the counts. A transition not listed has no effect.
 */
export const TRANSITION_EFFECTS: Readonly<Partial<Record<Edge, readonly OrderEffect[]>>> = {
  'pending_payment->cancelled': ['release-stock'],
  'paid->cancelled': ['release-stock', 'refund'],
  'in_preparation->cancelled': ['release-stock', 'refund'],
  'shipped->delivered': ['deliver-shipments'],
};

export function effectsOf(from: OrderStatus, to: OrderStatus): readonly OrderEffect[] {
  return TRANSITION_EFFECTS[`${from}->${to}`] ?? [];
}
