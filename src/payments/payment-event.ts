import type { Tx } from '../platform/db/db';
import { recordEvent } from '../platform/events';
import type { PaymentRecord } from './payment.repository';

/** `payment.updated` for the payment as it now is, to staff and its customer. */
export async function recordPaymentEvent(tx: Tx, customerId: string, p: PaymentRecord): Promise<void> {
  await recordEvent(tx, {
    type: 'payment.updated',
    customerId,
    data: {
      paymentId: p.id,
      orderId: p.orderId,
      provider: p.provider,
      status: p.status,
      amountCents: Number(p.amountCents),
      refundedCents: Number(p.refundedCents),
      failureReason: p.failureReason,
    },
  });
}
