import { ConflictError } from '../platform/errors';
import type { ReturnStatus } from './return.model';

/**
 * A return's life, in one table: `requested → approved | rejected`, `approved → received → closed`,
 * `requested | approved → cancelled`. `received` is reached only by recording what came back.
 */
export const RETURN_TRANSITIONS: Readonly<Record<ReturnStatus, readonly ReturnStatus[]>> = {
  requested: ['approved', 'rejected', 'cancelled'],
  approved: ['received', 'cancelled'],
  received: ['closed'],
  rejected: [],
  closed: [],
  cancelled: [],
};

/** Returns whose units no longer count against what may be returned. */
export const RELEASED: ReadonlySet<ReturnStatus> = new Set(['rejected', 'cancelled']);

/** Returns whose received units (not those asked for) are what they hold. */
export const SETTLED: ReadonlySet<ReturnStatus> = new Set(['received', 'closed']);

/** The 409 for a step a return cannot take now, naming the statuses it may move to (same style as orders'). */
export function assertReturnTransition(from: ReturnStatus, to: ReturnStatus): void {
  const allowed = RETURN_TRANSITIONS[from];
  if (allowed.includes(to)) return;
  throw new ConflictError(
    'illegal-transition',
    `A return that is ${from} cannot become ${to}; allowed next: ${allowed.length ? allowed.join(', ') : 'none (final state)'}.`,
    { currentReturnStatus: from, allowedReturnStatuses: [...allowed] },
  );
}
