import { ConflictError } from '../platform/errors';
import type { Schemas } from '../platform/http/contract';

export type OrderStatus = Schemas['OrderStatus'];

/**
 * The order life cycle, in one table. `paid` is reached only through a payment; the fulfilment
 * statuses (`partially_shipped`, `shipped`, and back after a cancelled shipment) only from the lines'
 * counts (`order-fulfilment.ts`), never by a status request; everything else also goes through here.
 * `partially_shipped → partially_shipped` is a transition of its own: every further partial shipment
 * is announced (history row and `order.status_changed`).
 */
export const TRANSITIONS: Readonly<Record<OrderStatus, readonly OrderStatus[]>> = {
  pending_payment: ['paid', 'cancelled'],
  paid: ['in_preparation', 'cancelled'],
  in_preparation: ['partially_shipped', 'shipped', 'cancelled'],
  partially_shipped: ['partially_shipped', 'shipped', 'in_preparation'],
  shipped: ['delivered', 'partially_shipped', 'in_preparation'],
  delivered: [],
  cancelled: [],
};

/**
 * Edges only the fulfilment counts take: a shipment recorded or cancelled, the rest cancelled, every
 * shipment delivered. A staff status request (`POST /orders/{id}/status`) may not take them: an order
 * is back in preparation only because a shipment was cancelled, never because someone said so.
 */
const BY_COUNTS_ONLY: ReadonlySet<string> = new Set([
  'in_preparation->partially_shipped',
  'in_preparation->shipped',
  'partially_shipped->partially_shipped',
  'partially_shipped->shipped',
  'partially_shipped->in_preparation',
  'shipped->partially_shipped',
  'shipped->in_preparation',
]);

/** States whose order still holds a stock reservation (for what is still to ship). */
export const HOLDS_RESERVATION: ReadonlySet<OrderStatus> = new Set(['pending_payment', 'paid', 'in_preparation', 'partially_shipped']);

/** States in which a shipment may be created. */
export const SHIPPABLE: ReadonlySet<OrderStatus> = new Set(['in_preparation', 'partially_shipped']);

export function canTransition(from: OrderStatus, to: OrderStatus): boolean {
  return TRANSITIONS[from].includes(to);
}

/** Whether staff may ask for this transition by its name (not one of the counts' edges). */
export function canRequestTransition(from: OrderStatus, to: OrderStatus): boolean {
  return canTransition(from, to) && !BY_COUNTS_ONLY.has(`${from}->${to}`);
}

export function assertTransition(from: OrderStatus, to: OrderStatus): void {
  if (!canTransition(from, to)) throw illegalTransition(from, `cannot become ${to}`);
}

/** The 409 for an order that cannot do what was asked now, naming the statuses it may move to next. */
export function illegalTransition(from: OrderStatus, what: string): ConflictError {
  const allowed = TRANSITIONS[from];
  return new ConflictError(
    'illegal-transition',
    `An order that is ${from} ${what}; allowed next: ${allowed.length ? allowed.join(', ') : 'none (final state)'}.`,
    { currentStatus: from, allowedStatuses: [...allowed] },
  );
}

/**
 * The statuses to pass through from `from` to `to`, each an edge of the table (shortest way):
 * `partially_shipped → delivered` is `shipped`, then `delivered`. Empty when already there; throws
 * when there is no way (a bug: the counts derived a status the table cannot reach).
 */
export function pathTo(from: OrderStatus, to: OrderStatus): OrderStatus[] {
  if (from === to) return [];
  const cameFrom = new Map<OrderStatus, OrderStatus>();
  const queue: OrderStatus[] = [from];
  while (queue.length > 0) {
    const at = queue.shift() as OrderStatus;
    for (const next of TRANSITIONS[at]) {
      if (next === from || cameFrom.has(next)) continue;
      cameFrom.set(next, at);
      if (next === to) {
        const path: OrderStatus[] = [to];
        for (let s = at; s !== from; s = cameFrom.get(s) as OrderStatus) path.unshift(s);
        return path;
      }
      queue.push(next);
    }
  }
  throw new Error(`no way from ${from} to ${to} in the order state machine`);
}
