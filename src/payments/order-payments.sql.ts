import { isoTimestampSql, jsonArraySql } from '../platform/db/json-sql';

/**
 * Payments' parts of the one-statement order read (orders compose them, as auth's `sessionEndedSql`
 * is fused into users' token check): SQL expressions over `orderId`, an SQL expression of the
 * caller's (a column such as `o.id`). Payments' tables are named only here.
 */

/** The order's payments as a JSON array of PaymentView (`toPaymentView`'s keys, in its order), oldest first (`listForOrder`'s order). */
export function paymentsOfOrderSql(orderId: string): string {
  const payment = `json_build_object('id', p.id, 'orderId', p.order_id, 'provider', p.provider, 'status', p.status,
    'amountCents', p.amount_cents, 'refundedCents', p.refunded_cents, 'currency', p.currency, 'reference', p.reference,
    'failureReason', p.failure_reason, 'createdAt', ${isoTimestampSql('p.created_at')})`;
  return `(SELECT ${jsonArraySql(payment, 'p.created_at, p.id')} FROM payments p WHERE p.order_id = ${orderId})`;
}

/** Σ of the order's succeeded refunds in cents, a bigint (`refundedCentsOfOrder`). */
export function refundedCentsOfOrderSql(orderId: string): string {
  return `(SELECT coalesce(sum(r.amount_cents), 0)::bigint FROM refunds r JOIN payments p ON p.id = r.payment_id
            WHERE p.order_id = ${orderId} AND r.status = 'succeeded')`;
}
