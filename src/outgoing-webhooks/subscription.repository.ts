import { Op, type WhereOptions } from 'sequelize';
import type { Tx } from '../platform/db/db';
import { WebhookDeliveryAttemptModel, WebhookDeliveryModel, WebhookSubscriptionModel } from './webhook.models';

/** A subscription, its sealed secrets included (never shown: the views leave them out). */
export interface SubscriptionRecord {
  id: string;
  url: string;
  description: string | null;
  eventTypes: string[];
  enabled: boolean;
  disabledReason: string | null;
  secretCiphertext: string;
  previousSecretCiphertext: string | null;
  previousSecretExpiresAt: Date | null;
  failingSince: Date | null;
  lastSuccessAt: Date | null;
  lastFailureAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

/** A delivery of the log. */
export interface DeliveryRecord {
  id: string;
  subscriptionId: string;
  messageId: string;
  /** bigint, as text. */
  eventId: string | null;
  eventType: string;
  body: string;
  status: 'pending' | 'succeeded' | 'failed';
  attemptCount: number;
  nextAttemptAt: Date | null;
  lastAttemptAt: Date | null;
  lastStatusCode: number | null;
  createdAt: Date;
}

/** One attempt of a delivery, as logged. */
export interface AttemptRecord {
  id: string;
  attemptedAt: Date;
  durationMs: number;
  statusCode: number | null;
  errorKind: string | null;
  responseBody: string | null;
  requestHeaders: Record<string, string>;
  manual: boolean;
}

type SubscriptionChanges = Partial<
  Pick<
    SubscriptionRecord,
    | 'url'
    | 'description'
    | 'eventTypes'
    | 'enabled'
    | 'disabledReason'
    | 'failingSince'
    | 'secretCiphertext'
    | 'previousSecretCiphertext'
    | 'previousSecretExpiresAt'
  >
>;

const toSubscriptionRecord = (s: WebhookSubscriptionModel): SubscriptionRecord => ({
  id: s.id,
  url: s.url,
  description: s.description,
  eventTypes: s.eventTypes,
  enabled: s.enabled,
  disabledReason: s.disabledReason,
  secretCiphertext: s.secretCiphertext,
  previousSecretCiphertext: s.previousSecretCiphertext,
  previousSecretExpiresAt: s.previousSecretExpiresAt,
  failingSince: s.failingSince,
  lastSuccessAt: s.lastSuccessAt,
  lastFailureAt: s.lastFailureAt,
  createdAt: s.createdAt,
  updatedAt: s.updatedAt,
});

const toDeliveryRecord = (d: WebhookDeliveryModel): DeliveryRecord => ({
  id: d.id,
  subscriptionId: d.subscriptionId,
  messageId: d.messageId,
  eventId: d.eventId,
  eventType: d.eventType,
  body: d.body,
  status: d.status,
  attemptCount: d.attemptCount,
  nextAttemptAt: d.nextAttemptAt,
  lastAttemptAt: d.lastAttemptAt,
  lastStatusCode: d.lastStatusCode,
  createdAt: d.createdAt,
});

const toAttemptRecord = (a: WebhookDeliveryAttemptModel): AttemptRecord => ({
  id: a.id,
  attemptedAt: a.attemptedAt,
  durationMs: a.durationMs,
  statusCode: a.statusCode,
  errorKind: a.errorKind,
  responseBody: a.responseBody,
  requestHeaders: a.requestHeaders,
  manual: a.manual,
});

/** Subscriptions and the delivery log, through their models; plain records out. */
export const subscriptionRepository = {
  async insert(values: { id: string; url: string; description: string | null; eventTypes: string[]; secretCiphertext: string }): Promise<SubscriptionRecord> {
    return toSubscriptionRecord(await WebhookSubscriptionModel.create({ ...values, enabled: true }));
  },

  async find(id: string, tx?: Tx, lock = false): Promise<SubscriptionRecord | null> {
    const row = await WebhookSubscriptionModel.findByPk(id, { transaction: tx, ...(lock && tx ? { lock: tx.LOCK.UPDATE } : {}) });
    return row && toSubscriptionRecord(row);
  },

  async page(limit: number, after?: readonly [string, string]): Promise<SubscriptionRecord[]> {
    const where: WhereOptions = after ? { [Op.or]: [{ createdAt: { [Op.lt]: after[0] } }, { createdAt: after[0], id: { [Op.lt]: after[1] } }] } : {};
    const rows = await WebhookSubscriptionModel.findAll({
      where,
      order: [
        ['createdAt', 'DESC'],
        ['id', 'DESC'],
      ],
      limit: limit + 1,
    });
    return rows.map(toSubscriptionRecord);
  },

  async update(id: string, values: SubscriptionChanges, tx?: Tx): Promise<SubscriptionRecord | null> {
    const [count, rows] = await WebhookSubscriptionModel.update(values, { where: { id }, returning: true, transaction: tx });
    const row = rows[0];
    return count === 0 || !row ? null : toSubscriptionRecord(row);
  },

  /** Subscriptions holding a secret in the given sealed format (by its `v1.` style prefix). */
  async withSecretsPrefixed(prefix: string): Promise<Pick<SubscriptionRecord, 'id' | 'secretCiphertext' | 'previousSecretCiphertext'>[]> {
    const like = `${prefix}%`;
    const rows = await WebhookSubscriptionModel.findAll({
      attributes: ['id', 'secretCiphertext', 'previousSecretCiphertext'],
      where: { [Op.or]: [{ secretCiphertext: { [Op.like]: like } }, { previousSecretCiphertext: { [Op.like]: like } }] },
    });
    return rows.map((r) => ({ id: r.id, secretCiphertext: r.secretCiphertext, previousSecretCiphertext: r.previousSecretCiphertext }));
  },

  /** Replaces a secret's ciphertext only while it is still the one read (a rotation meanwhile wins). */
  async replaceCiphertext(id: string, column: 'secretCiphertext' | 'previousSecretCiphertext', from: string, to: string): Promise<void> {
    await WebhookSubscriptionModel.update({ [column]: to }, { where: { id, [column]: from } });
  },

  async remove(id: string): Promise<boolean> {
    return (await WebhookSubscriptionModel.destroy({ where: { id } })) > 0;
  },

  async deliveryPage(
    subscriptionId: string,
    filters: { status?: string; eventType?: string },
    limit: number,
    after?: readonly [string, string],
  ): Promise<DeliveryRecord[]> {
    const and: WhereOptions[] = [{ subscriptionId }];
    if (filters.status) and.push({ status: filters.status });
    if (filters.eventType) and.push({ eventType: filters.eventType });
    if (after) and.push({ [Op.or]: [{ createdAt: { [Op.lt]: after[0] } }, { createdAt: after[0], id: { [Op.lt]: after[1] } }] });
    const rows = await WebhookDeliveryModel.findAll({
      where: { [Op.and]: and },
      order: [
        ['createdAt', 'DESC'],
        ['id', 'DESC'],
      ],
      limit: limit + 1,
    });
    return rows.map(toDeliveryRecord);
  },

  async delivery(id: string): Promise<DeliveryRecord | null> {
    const row = await WebhookDeliveryModel.findByPk(id);
    return row && toDeliveryRecord(row);
  },

  async deliveryByMessageId(messageId: string): Promise<DeliveryRecord | null> {
    const row = await WebhookDeliveryModel.findOne({ where: { messageId } });
    return row && toDeliveryRecord(row);
  },

  async attempts(deliveryId: string): Promise<AttemptRecord[]> {
    const rows = await WebhookDeliveryAttemptModel.findAll({
      where: { deliveryId },
      order: [
        ['attemptedAt', 'ASC'],
        ['id', 'ASC'],
      ],
      limit: 1000,
    });
    return rows.map(toAttemptRecord);
  },
};
