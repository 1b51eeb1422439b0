import { ConflictError } from '../platform/errors';
import type { Schemas } from '../platform/http/contract';

export type OrderStatus = Schemas['OrderStatus'];

/**
 * The order life cycle, in one table. `paid` is reached only through a payment and `shipped` only
 * through a shipment; everything else also goes through here.
 */
export const TRANSITIONS: Readonly<Record<OrderStatus, readonly OrderStatus[]>> = {
  pending_payment: ['paid', 'cancelled'],
  paid: ['in_preparation', 'cancelled'],
  in_preparation: ['shipped', 'cancelled'],
  shipped: ['delivered'],
  delivered: [],
  cancelled: [],
};

/** States whose order still holds a stock reservation. */
export const HOLDS_RESERVATION: ReadonlySet<OrderStatus> = new Set(['pending_payment', 'paid', 'in_preparation']);

export function canTransition(from: OrderStatus, to: OrderStatus): boolean {
  return TRANSITIONS[from].includes(to);
}

export function assertTransition(from: OrderStatus, to: OrderStatus): void {
  if (!canTransition(from, to)) {
    const allowed = TRANSITIONS[from];
    throw new ConflictError(
      'illegal-transition',
      `An order that is ${from} cannot become ${to}; allowed next: ${allowed.length ? allowed.join(', ') : 'none (final state)'}.`,
      { currentStatus: from, allowedStatuses: [...allowed] },
    );
  }
}
