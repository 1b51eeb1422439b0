import { Op, col } from 'sequelize';
import type { DbTarget, Tx } from '../platform/db/db';
import { transactionOf } from '../platform/db/sql';
import type { Schemas } from '../platform/http/contract';
import type { PaymentProviderName } from './payment-provider';
import { PaymentModel } from './payment.model';

export type PaymentStatus = Schemas['Payment']['status'];

/** A payment as the repository hands it out: a plain object, never a model instance. */
export interface PaymentRecord {
  id: string;
  orderId: string;
  provider: PaymentProviderName;
  status: PaymentStatus;
  /** bigint, as text. */
  amountCents: string;
  /** bigint, as text: Σ of the refunds that did not fail (the `refunds_balance` trigger keeps it). */
  refundedCents: string;
  currency: 'EUR';
  reference: string | null;
  providerPaymentId: string | null;
  failureReason: string | null;
  createdAt: Date;
}

const plain = (row: PaymentModel | null): PaymentRecord | undefined => (row ? (row.get({ plain: true }) as PaymentRecord) : undefined);
const plainAll = (rows: PaymentModel[]): PaymentRecord[] => rows.map((r) => r.get({ plain: true }) as PaymentRecord);
const BY_AGE: [string, string][] = [
  ['createdAt', 'ASC'],
  ['id', 'ASC'],
];

/** The payments table, through its model (no statement here is on a measured hot path). */
export const paymentRepository = {
  async listForOrder(target: DbTarget, orderId: string): Promise<PaymentRecord[]> {
    return plainAll(await PaymentModel.findAll({ where: { orderId }, order: BY_AGE, transaction: transactionOf(target) }));
  },

  async find(target: DbTarget, id: string): Promise<PaymentRecord | undefined> {
    return plain(await PaymentModel.findByPk(id, { transaction: transactionOf(target) }));
  },

  /** The order's latest payment through this provider still pending, if any (the order is locked). */
  async findPending(tx: Tx, orderId: string, provider: PaymentProviderName): Promise<PaymentRecord | undefined> {
    return plain(
      await PaymentModel.findOne({
        where: { orderId, provider, status: 'pending' },
        order: [
          ['createdAt', 'DESC'],
          ['id', 'DESC'],
        ],
        transaction: tx,
      }),
    );
  },

  async insert(
    tx: Tx,
    /** amountCents: bigint, as text. */
    p: {
      orderId: string;
      provider: PaymentProviderName;
      status: PaymentStatus;
      amountCents: string;
      reference: string | null;
      providerPaymentId: string | null;
    },
  ): Promise<PaymentRecord> {
    const row = await PaymentModel.create(p, { transaction: tx });
    return plain(row) as PaymentRecord;
  },

  async findByProviderId(tx: Tx, provider: PaymentProviderName, providerPaymentId: string): Promise<PaymentRecord | undefined> {
    // An event whose object carries no id names no payment of ours (a null would match manual ones).
    if (!providerPaymentId) return undefined;
    return plain(await PaymentModel.findOne({ where: { provider, providerPaymentId }, transaction: tx }));
  },

  async lock(tx: Tx, id: string): Promise<PaymentRecord | undefined> {
    return plain(await PaymentModel.findByPk(id, { transaction: tx, lock: tx.LOCK.UPDATE }));
  },

  async lockCapturedByProviderId(tx: Tx, provider: PaymentProviderName, providerPaymentId: string): Promise<PaymentRecord | undefined> {
    if (!providerPaymentId) return undefined;
    return plain(
      await PaymentModel.findOne({
        where: { provider, providerPaymentId, status: { [Op.in]: ['captured', 'partially_refunded'] } },
        transaction: tx,
        lock: tx.LOCK.UPDATE,
      }),
    );
  },

  /**
   * The order's payments with money still ours to give back (captured or partly refunded, not wholly
   * refunded), oldest first, locked: refunds of one payment are decided one at a time.
   */
  async lockRefundableOfOrder(tx: Tx, orderId: string): Promise<PaymentRecord[]> {
    return plainAll(
      await PaymentModel.findAll({
        where: { orderId, status: { [Op.in]: ['captured', 'partially_refunded'] }, refundedCents: { [Op.lt]: col('amount_cents') } },
        order: BY_AGE,
        transaction: tx,
        lock: tx.LOCK.UPDATE,
      }),
    );
  },

  /**
   * The order's payments that ever captured money (captured, partly or wholly refunded), oldest
   * first, locked: what a refund asked by staff is decided against, one at a time per payment.
   */
  async lockCapturedOfOrder(tx: Tx, orderId: string): Promise<PaymentRecord[]> {
    return plainAll(
      await PaymentModel.findAll({
        where: { orderId, status: { [Op.in]: ['captured', 'partially_refunded', 'refunded'] } },
        order: BY_AGE,
        transaction: tx,
        lock: tx.LOCK.UPDATE,
      }),
    );
  },

  async hasOtherCaptured(tx: Tx, orderId: string, exceptId: string): Promise<boolean> {
    return (
      (await PaymentModel.count({ where: { orderId, id: { [Op.ne]: exceptId }, status: { [Op.in]: ['captured', 'partially_refunded'] } }, transaction: tx })) >
      0
    );
  },

  /** Records what the provider created for an attempt (its status may have moved on meanwhile). */
  async recordProviderPayment(
    tx: Tx,
    id: string,
    p: { status: PaymentStatus; providerPaymentId: string | null; reference: string | null; failureReason: string | null },
  ): Promise<PaymentRecord> {
    const [, rows] = await PaymentModel.update(p, { where: { id }, transaction: tx, returning: true });
    return plain(rows[0] ?? null) as PaymentRecord;
  },

  /** Forgets an attempt the provider refused outright (nothing exists there; its key is spent). */
  async dropAttempt(tx: Tx, id: string): Promise<void> {
    await PaymentModel.destroy({ where: { id, status: 'pending', providerPaymentId: null }, transaction: tx });
  },

  async setStatus(tx: Tx, id: string, status: PaymentStatus, failureReason: string | null): Promise<PaymentRecord> {
    const [, rows] = await PaymentModel.update({ status, failureReason }, { where: { id }, transaction: tx, returning: true });
    return plain(rows[0] ?? null) as PaymentRecord;
  },
};
