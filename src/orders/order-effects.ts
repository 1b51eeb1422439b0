import type { OrderStatus } from './order-state-machine';

/** What a transition does besides changing the status, its history row and its event. */
export type OrderEffect = 'release-stock' | 'book-sale' | 'refund' | 'deliver-shipments';

type Edge = `${OrderStatus}->${OrderStatus}`;

/**
 * The side effects of each transition, in the order they run (all in the order's transaction).
 * Cancelling gives reserved stock back and, once paid, records the refunds (made at the provider
 * after the commit, never under the lock: see payments' `Refunds`); shipping turns reservations
 * into `sale` movements; delivery closes the shipments in transit. A transition not listed has no
 * effect.
 */
export const TRANSITION_EFFECTS: Readonly<Partial<Record<Edge, readonly OrderEffect[]>>> = {
  'pending_payment->cancelled': ['release-stock'],
  'paid->cancelled': ['release-stock', 'refund'],
  'in_preparation->cancelled': ['release-stock', 'refund'],
  'in_preparation->shipped': ['book-sale'],
  'shipped->delivered': ['deliver-shipments'],
};

export function effectsOf(from: OrderStatus, to: OrderStatus): readonly OrderEffect[] {
  return TRANSITION_EFFECTS[`${from}->${to}`] ?? [];
}
