import { Op } from 'sequelize';
import type { DbTarget, Tx } from '../platform/db/db';
import { sql, sqlOne, transactionOf } from '../platform/db/sql';
import { PaymentModel } from './payment.model';
import { RefundModel } from './refund.model';

/** The request that records a refund makes it at once; the retry pass steps in only after this (a crash, a failure). */
const FIRST_RETRY_AFTER_MS = 10_000;

export type RefundStatus = 'pending' | 'succeeded' | 'failed';

/** A refund as the repository hands it out: a plain object, never a model instance. */
export interface RefundRecord {
  id: string;
  paymentId: string;
  customerId: string;
  /** bigint, as text. */
  amountCents: string;
  status: RefundStatus;
  attempts: number;
  lastError: string | null;
  reason: string;
  returnId: string | null;
  requestedBy: string | null;
  createdAt: Date;
  updatedAt: Date;
}

/** What a new refund says: its payment, amount (bigint, as text), why, for which return, asked by whom. */
export interface RefundRequest {
  paymentId: string;
  customerId: string;
  amountCents: string;
  reason: string;
  returnId: string | null;
  requestedBy: string | null;
}

/** A refunds row as `claim` reads it (snake_case): only this file sees it. */
interface RefundRow {
  id: string;
  payment_id: string;
  customer_id: string;
  amount_cents: string;
  status: RefundStatus;
  attempts: number;
  last_error: string | null;
  reason: string;
  return_id: string | null;
  requested_by: string | null;
  created_at: Date;
  updated_at: Date;
}

function toRefundRecord(row: RefundRow): RefundRecord {
  return {
    id: row.id,
    paymentId: row.payment_id,
    customerId: row.customer_id,
    amountCents: String(row.amount_cents),
    status: row.status,
    attempts: row.attempts,
    lastError: row.last_error,
    reason: row.reason,
    returnId: row.return_id,
    requestedBy: row.requested_by,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

const plain = (row: RefundModel): RefundRecord => {
  const r = row.get({ plain: true }) as RefundRecord & { nextAttemptAt?: Date };
  return {
    id: r.id,
    paymentId: r.paymentId,
    customerId: r.customerId,
    amountCents: String(r.amountCents),
    status: r.status,
    attempts: r.attempts,
    lastError: r.lastError,
    reason: r.reason,
    returnId: r.returnId,
    requestedBy: r.requestedBy,
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
  };
};

const BY_AGE: [string, string][] = [
  ['createdAt', 'ASC'],
  ['id', 'ASC'],
];

/** The refunds table (payments own it), several per payment: recorded in the cancel's transaction, worked after commit. */
export const refundRepository = {
  /**
   * Records a refund of part or all of a payment (the caller holds the payment's row lock and checked
   * its balance). The `refunds_balance` trigger adds it to `payments.refunded_cents`, whose CHECK
   * refuses a sum above what was captured: the database keeps the limit whatever the caller did.
   */
  async request(tx: Tx, r: RefundRequest): Promise<RefundRecord> {
    const nextAttemptAt = new Date(Date.now() + FIRST_RETRY_AFTER_MS);
    return plain(await RefundModel.create({ ...r, status: 'pending', nextAttemptAt }, { transaction: tx }));
  },

  async find(target: DbTarget, id: string): Promise<RefundRecord | undefined> {
    const row = await RefundModel.findByPk(id, { transaction: transactionOf(target) });
    return row ? plain(row) : undefined;
  },

  /** Every refund of the payments named, oldest first. */
  async listOfPayments(target: DbTarget, paymentIds: readonly string[]): Promise<RefundRecord[]> {
    if (paymentIds.length === 0) return [];
    const rows = await RefundModel.findAll({ where: { paymentId: { [Op.in]: [...paymentIds] } }, order: BY_AGE, transaction: transactionOf(target) });
    return rows.map(plain);
  },

  /** What a return has taken so far: the sum of its refunds that did not fail (the caller holds its order's lock). */
  async nonFailedCentsOfReturn(tx: Tx, returnId: string): Promise<number> {
    const where = { returnId, status: { [Op.ne]: 'failed' } };
    const total = (await RefundModel.sum('amountCents', { where, transaction: tx })) as number | string | null;
    return Number(total ?? 0);
  },

  /**
   * What each return named has taken: the sum of its refunds that did not fail (pending included, as
   * the return's ceiling counts them); a return with none is absent.
   */
  async nonFailedCentsOfReturns(target: DbTarget, returnIds: readonly string[]): Promise<Map<string, number>> {
    const ids = [...new Set(returnIds.map((id) => id.toLowerCase()))];
    if (ids.length === 0) return new Map();
    const rows = await sql<{ return_id: string; total: string }>(
      target,
      // One grouped sum over the return index.
      `SELECT return_id, sum(amount_cents) AS total FROM refunds WHERE return_id = ANY($1::uuid[]) AND status <> 'failed' GROUP BY return_id`,
      [ids],
    );
    return new Map(rows.map((r) => [r.return_id, Number(r.total)]));
  },

  /** What went back of a payment: the sum of its refunds that succeeded, in cents. */
  async succeededCents(tx: Tx, paymentId: string): Promise<number> {
    const total = (await RefundModel.sum('amountCents', { where: { paymentId, status: 'succeeded' }, transaction: tx })) as number | string | null;
    return Number(total ?? 0);
  },

  /** The ids of an order's refunds still to be made. */
  async pendingOfOrder(orderId: string): Promise<string[]> {
    const payments = await PaymentModel.findAll({ attributes: ['id'], where: { orderId } });
    if (payments.length === 0) return [];
    const rows = await RefundModel.findAll({ attributes: ['id'], where: { paymentId: { [Op.in]: payments.map((p) => p.id) }, status: 'pending' } });
    return rows.map((r) => r.id);
  },

  /** Pending refunds whose next attempt is due, oldest first. */
  async due(limit: number): Promise<string[]> {
    const rows = await RefundModel.findAll({
      attributes: ['id'],
      where: { status: 'pending', nextAttemptAt: { [Op.lte]: new Date() } },
      order: [['nextAttemptAt', 'ASC']],
      limit,
    });
    return rows.map((r) => r.id);
  },

  /**
   * Takes a due pending refund for one attempt: counts it and moves its next attempt away (1 s,
   * doubling, at most an hour), so another worker leaves it alone meanwhile and, should this
   * process die during the call, the loop tries again later. `first`: the request that recorded it
   * makes the first attempt at once. Undefined when not due or not pending.
   */
  async claim(target: DbTarget, id: string, first: boolean): Promise<RefundRecord | undefined> {
    const row = await sqlOne<RefundRow>(
      target,
      // One statement claims and reschedules (the backoff is computed from the stored attempt count).
      `UPDATE refunds SET attempts = attempts + 1, updated_at = clock_timestamp(),
              next_attempt_at = clock_timestamp() + least(interval '1 second' * power(2, least(attempts, 12)), interval '1 hour')
        WHERE id = $1 AND status = 'pending' AND (next_attempt_at <= clock_timestamp() OR ($2 AND attempts = 0))
        RETURNING id, payment_id, customer_id, amount_cents, status, attempts, last_error, reason, return_id, requested_by, created_at, updated_at`,
      [id, first],
    );
    return row && toRefundRecord(row);
  },

  /** Settles a pending refund and answers it as it now is; undefined when it was settled already. */
  async settle(tx: Tx, id: string, status: Exclude<RefundStatus, 'pending'>, lastError: string | null): Promise<RefundRecord | undefined> {
    const [, rows] = await RefundModel.update({ status, lastError }, { where: { id, status: 'pending' }, transaction: tx, returning: true });
    return rows[0] ? plain(rows[0]) : undefined;
  },

  /** Remembers why the last attempt failed (the refund stays pending for the next one). */
  async noteFailure(target: DbTarget, id: string, error: string): Promise<void> {
    await RefundModel.update({ lastError: error.slice(0, 500) }, { where: { id, status: 'pending' }, transaction: transactionOf(target) });
  },
};

/**
 * For returns (exported through payments' index): what each return named has taken — the sum of
 * its refunds that did not fail (pending included), in cents; a return with none is absent from the map.
 */
export function refundedCentsOfReturns(tx: DbTarget, returnIds: string[]): Promise<Map<string, number>> {
  return refundRepository.nonFailedCentsOfReturns(tx, returnIds);
}
