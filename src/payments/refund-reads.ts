import type { DbTarget } from '../platform/db/db';
import { paymentRepository as payments } from './payment.repository';
import { refundRepository } from './refund.repository';
import { toRefundView, type RefundView } from './refund-event';

/** Reads of refunds as the API shows them (the payments service hands them out). */
export const refundReads = {
  async view(target: DbTarget, id: string): Promise<RefundView | undefined> {
    const refund = await refundRepository.find(target, id);
    const payment = refund && (await payments.find(target, refund.paymentId));
    return refund && payment ? toRefundView(refund, payment.orderId) : undefined;
  },

  async ofOrder(target: DbTarget, orderId: string): Promise<RefundView[]> {
    const ids = (await payments.listForOrder(target, orderId)).map((p) => p.id);
    return (await refundRepository.listOfPayments(target, ids)).map((r) => toRefundView(r, orderId));
  },
};
