import type { Tx } from '../platform/db/db';
import { AppError, ConflictError } from '../platform/errors';
import { refundRepository } from './refund.repository';

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

/** A refund naming a return: the return received, and its refunds that did not fail within what it proposes (else the problem). */
export async function checkReturnRefund(tx: Tx, returns: ReturnRefundCeilings, orderId: string, returnId: string, amountCents: number): Promise<void> {
  const ceiling = await returns.ceiling(tx, orderId, returnId);
  if (!ceiling) throw new AppError('unknown-return', 400, `The return ${returnId} is not a return of this order.`);
  if (ceiling.status === 'other') {
    throw new ConflictError('return-not-received', `The return ${returnId} has not been received: nothing of it can be refunded yet.`);
  }
  const returnBalanceCents = Math.max(0, ceiling.proposedCents - (await refundRepository.nonFailedCentsOfReturn(tx, returnId)));
  if (amountCents > returnBalanceCents) {
    throw new ConflictError(
      'refund-exceeds-return',
      `A refund of ${amountCents} cents is more than the ${returnBalanceCents} cents the return still proposes.`,
      {
        returnBalanceCents,
      },
    );
  }
}
