import type { Transaction } from 'sequelize';
import { sql, sqlOne, type SqlTarget } from '../platform/db/sql';
import type { Schemas } from '../platform/http/contract';
import type { PaymentProviderName } from './payment-provider';

export type PaymentStatus = Schemas['Payment']['status'];

/** A payments row as stored (snake_case, bigint as text). */
export interface PaymentRow {
  id: string;
  order_id: string;
  provider: PaymentProviderName;
  status: PaymentStatus;
  amount_cents: string;
  currency: 'EUR';
  reference: string | null;
  provider_payment_id: string | null;
  failure_reason: string | null;
  created_at: Date;
}

/** The payments table: the only SQL that names it. */
export const paymentRepository = {
  listForOrder(target: SqlTarget, orderId: string): Promise<PaymentRow[]> {
    return sql<PaymentRow>(target, 'SELECT * FROM payments WHERE order_id = $1 ORDER BY created_at, id', [orderId]);
  },

  async countAttempts(tx: Transaction, orderId: string, provider: PaymentProviderName): Promise<number> {
    const row = await sqlOne<{ n: string }>(tx, 'SELECT count(*) AS n FROM payments WHERE order_id = $1 AND provider = $2', [orderId, provider]);
    return Number(row?.n ?? 0);
  },

  async insert(
    tx: Transaction,
    p: { orderId: string; provider: PaymentProviderName; status: PaymentStatus; amountCents: number; reference: string | null; providerPaymentId: string | null },
  ): Promise<PaymentRow> {
    const row = await sqlOne<PaymentRow>(
      tx,
      `INSERT INTO payments (order_id, provider, status, amount_cents, reference, provider_payment_id)
       VALUES ($1, $2, $3, $4, $5, $6) RETURNING *`,
      [p.orderId, p.provider, p.status, p.amountCents, p.reference, p.providerPaymentId],
    );
    return row as PaymentRow;
  },

  findByProviderId(tx: Transaction, provider: PaymentProviderName, providerPaymentId: string): Promise<PaymentRow | undefined> {
    return sqlOne<PaymentRow>(tx, 'SELECT * FROM payments WHERE provider = $1 AND provider_payment_id = $2', [provider, providerPaymentId]);
  },

  lock(tx: Transaction, id: string): Promise<PaymentRow | undefined> {
    return sqlOne<PaymentRow>(tx, 'SELECT * FROM payments WHERE id = $1 FOR UPDATE', [id]);
  },

  lockCapturedByProviderId(tx: Transaction, provider: PaymentProviderName, providerPaymentId: string): Promise<PaymentRow | undefined> {
    return sqlOne<PaymentRow>(
      tx,
      `SELECT * FROM payments WHERE provider = $1 AND provider_payment_id = $2 AND status = 'captured' FOR UPDATE`,
      [provider, providerPaymentId],
    );
  },

  lockCapturedOfOrder(tx: Transaction, orderId: string): Promise<PaymentRow[]> {
    return sql<PaymentRow>(tx, "SELECT * FROM payments WHERE order_id = $1 AND status = 'captured' ORDER BY created_at, id FOR UPDATE", [orderId]);
  },

  async hasOtherCaptured(tx: Transaction, orderId: string, exceptId: string): Promise<boolean> {
    const rows = await sql(tx, "SELECT 1 FROM payments WHERE order_id = $1 AND id <> $2 AND status = 'captured'", [orderId, exceptId]);
    return rows.length > 0;
  },

  async setStatus(tx: Transaction, id: string, status: PaymentStatus, failureReason: string | null): Promise<PaymentRow> {
    const row = await sqlOne<PaymentRow>(
      tx,
      'UPDATE payments SET status = $2, failure_reason = $3, updated_at = clock_timestamp() WHERE id = $1 RETURNING *',
      [id, status, failureReason],
    );
    return row as PaymentRow;
  },
};
