import type { Tx } from '../platform/db/db';
import { recordEvent } from '../platform/events';
import type { Schemas } from '../platform/http/contract';
import type { PaymentRecord } from './payment.repository';
import type { RefundRecord } from './refund.repository';

export type RefundView = Schemas['Refund'];

/** Why the provider refused a refund: only a failed refund has one (a pending one's last error is the retry pass's business). */
const failureOf = (r: RefundRecord): string | null => (r.status === 'failed' ? r.lastError : null);

/** A refund as the API answers it (`orderId`: its payment's order). */
export function toRefundView(r: RefundRecord, orderId: string): RefundView {
  return {
    id: r.id,
    orderId,
    paymentId: r.paymentId,
    amountCents: Number(r.amountCents),
    status: r.status,
    reason: r.reason,
    returnId: r.returnId,
    failureReason: failureOf(r),
    createdAt: new Date(r.createdAt).toISOString(),
    updatedAt: new Date(r.updatedAt).toISOString(),
  };
}

/**
 * `refund.updated` for the refund as it now is, with its payment's figures after the change (read
 * after the `refunds_balance` trigger ran, in the same transaction), to staff and the customer.
 */
export async function recordRefundEvent(tx: Tx, r: RefundRecord, payment: PaymentRecord): Promise<void> {
  const refunded = Number(payment.refundedCents);
  await recordEvent(tx, {
    type: 'refund.updated',
    customerId: r.customerId,
    data: {
      refundId: r.id,
      orderId: payment.orderId,
      paymentId: r.paymentId,
      amountCents: Number(r.amountCents),
      status: r.status,
      reason: r.reason,
      returnId: r.returnId,
      failureReason: failureOf(r),
      paymentRefundedCents: refunded,
      balanceCents: Math.max(0, Number(payment.amountCents) - refunded),
    },
  });
}
