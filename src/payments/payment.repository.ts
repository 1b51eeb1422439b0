import { Op, type Transaction } from 'sequelize';
import { transactionOf, type SqlTarget } from '../platform/db/sql';
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
  async listForOrder(target: SqlTarget, orderId: string): Promise<PaymentRecord[]> {
    return plainAll(await PaymentModel.findAll({ where: { orderId }, order: BY_AGE, transaction: transactionOf(target) }));
  },

  async find(id: string): Promise<PaymentRecord | undefined> {
    return plain(await PaymentModel.findByPk(id));
  },

  /** The order's latest payment through this provider still pending, if any (the order is locked). */
  async findPending(tx: Transaction, orderId: string, provider: PaymentProviderName): Promise<PaymentRecord | undefined> {
    return plain(await PaymentModel.findOne({ where: { orderId, provider, status: 'pending' }, order: [['createdAt', 'DESC'], ['id', 'DESC']], transaction: tx }));
  },

  async insert(
    tx: Transaction,
    p: { orderId: string; provider: PaymentProviderName; status: PaymentStatus; amountCents: number; reference: string | null; providerPaymentId: string | null },
  ): Promise<PaymentRecord> {
    const row = await PaymentModel.create({ ...p, amountCents: String(p.amountCents) }, { transaction: tx });
    return plain(row) as PaymentRecord;
  },

  async findByProviderId(tx: Transaction, provider: PaymentProviderName, providerPaymentId: string): Promise<PaymentRecord | undefined> {
    // An event whose object carries no id names no payment of ours (a null would match manual ones).
    if (!providerPaymentId) return undefined;
    return plain(await PaymentModel.findOne({ where: { provider, providerPaymentId }, transaction: tx }));
  },

  async lock(tx: Transaction, id: string): Promise<PaymentRecord | undefined> {
    return plain(await PaymentModel.findByPk(id, { transaction: tx, lock: tx.LOCK.UPDATE }));
  },

  async lockCapturedByProviderId(tx: Transaction, provider: PaymentProviderName, providerPaymentId: string): Promise<PaymentRecord | undefined> {
    if (!providerPaymentId) return undefined;
    return plain(await PaymentModel.findOne({ where: { provider, providerPaymentId, status: 'captured' }, transaction: tx, lock: tx.LOCK.UPDATE }));
  },

  async lockCapturedOfOrder(tx: Transaction, orderId: string): Promise<PaymentRecord[]> {
    return plainAll(await PaymentModel.findAll({ where: { orderId, status: 'captured' }, order: BY_AGE, transaction: tx, lock: tx.LOCK.UPDATE }));
  },

  async hasOtherCaptured(tx: Transaction, orderId: string, exceptId: string): Promise<boolean> {
    return (await PaymentModel.count({ where: { orderId, id: { [Op.ne]: exceptId }, status: 'captured' }, transaction: tx })) > 0;
  },

  /** Records what the provider created for an attempt (its status may have moved on meanwhile). */
  async recordProviderPayment(
    tx: Transaction,
    id: string,
    p: { status: PaymentStatus; providerPaymentId: string | null; reference: string | null; failureReason: string | null },
  ): Promise<PaymentRecord> {
    const [, rows] = await PaymentModel.update(p, { where: { id }, transaction: tx, returning: true });
    return plain(rows[0] ?? null) as PaymentRecord;
  },

  /** Forgets an attempt the provider refused outright (nothing exists there; its key is spent). */
  async dropAttempt(id: string): Promise<void> {
    await PaymentModel.destroy({ where: { id, status: 'pending', providerPaymentId: null } });
  },

  async setStatus(tx: Transaction, id: string, status: PaymentStatus, failureReason: string | null): Promise<PaymentRecord> {
    const [, rows] = await PaymentModel.update({ status, failureReason }, { where: { id }, transaction: tx, returning: true });
    return plain(rows[0] ?? null) as PaymentRecord;
  },
};
