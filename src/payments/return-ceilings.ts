import type { Tx } from '../platform/db/db';

/**
 * What a return lets staff pay back, as the returns module knows it (injected: payments never read
 * its tables). `ceiling` answers, under the order's lock the caller holds, the return's status —
 * `received` and `closed` may be refunded, anything else not yet — and `proposedCents`, the most its
 * refunds may sum to (received units × the line's gross unit price); undefined when `returnId` is
 * not a return of that order.
 */
export interface ReturnRefundCeilings {
  ceiling(tx: Tx, orderId: string, returnId: string): Promise<{ status: 'received' | 'closed' | 'other'; proposedCents: number } | undefined>;
}

/** Until returns exist: no return is known, so a refund naming one is a 400 `unknown-return`. */
export const NO_RETURNS: ReturnRefundCeilings = {
  ceiling: () => Promise.resolve(undefined),
};
