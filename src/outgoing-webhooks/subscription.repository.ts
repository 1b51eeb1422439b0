import { Op, type Transaction, type WhereOptions } from 'sequelize';
import { WebhookDeliveryAttemptModel, WebhookDeliveryModel, WebhookSubscriptionModel } from './webhook.models';

export type DeliveryRow = Pick<
  WebhookDeliveryModel,
  'id' | 'subscriptionId' | 'messageId' | 'eventId' | 'eventType' | 'body' | 'status' | 'attemptCount' | 'nextAttemptAt' | 'lastAttemptAt' | 'lastStatusCode' | 'createdAt'
>;
export type AttemptRow = Pick<WebhookDeliveryAttemptModel, 'id' | 'attemptedAt' | 'durationMs' | 'statusCode' | 'errorKind' | 'responseBody' | 'requestHeaders' | 'manual'>;

const plain = <T>(row: { get(options: { plain: true }): unknown } | null): T | null => (row ? (row.get({ plain: true }) as T) : null);

/** Subscriptions and the delivery log, through their models; plain objects out. */
export const subscriptionRepository = {
  async insert(values: { id: string; url: string; description: string | null; eventTypes: string[]; secretCiphertext: string }): Promise<WebhookSubscriptionModel> {
    return plain<WebhookSubscriptionModel>(await WebhookSubscriptionModel.create({ ...values, enabled: true })) as WebhookSubscriptionModel;
  },

  async find(id: string, tx?: Transaction, lock = false): Promise<WebhookSubscriptionModel | null> {
    return plain(await WebhookSubscriptionModel.findByPk(id, { transaction: tx, ...(lock && tx ? { lock: tx.LOCK.UPDATE } : {}) }));
  },

  async page(limit: number, after?: readonly [string, string]): Promise<WebhookSubscriptionModel[]> {
    const where: WhereOptions = after ? { [Op.or]: [{ createdAt: { [Op.lt]: after[0] } }, { createdAt: after[0], id: { [Op.lt]: after[1] } }] } : {};
    const rows = await WebhookSubscriptionModel.findAll({ where, order: [['createdAt', 'DESC'], ['id', 'DESC']], limit: limit + 1 });
    return rows.map((r) => r.get({ plain: true }) as WebhookSubscriptionModel);
  },

  async update(id: string, values: Partial<Pick<WebhookSubscriptionModel, 'url' | 'description' | 'eventTypes' | 'enabled' | 'disabledReason' | 'failingSince' | 'secretCiphertext' | 'previousSecretCiphertext' | 'previousSecretExpiresAt'>>, tx?: Transaction): Promise<WebhookSubscriptionModel | null> {
    const [count, rows] = await WebhookSubscriptionModel.update(values, { where: { id }, returning: true, transaction: tx });
    return count === 0 ? null : (rows[0]?.get({ plain: true }) as WebhookSubscriptionModel);
  },

  /** Subscriptions holding a secret in the given sealed format (by its `v1.` style prefix). */
  async withSecretsPrefixed(prefix: string): Promise<Pick<WebhookSubscriptionModel, 'id' | 'secretCiphertext' | 'previousSecretCiphertext'>[]> {
    const like = `${prefix}%`;
    const rows = await WebhookSubscriptionModel.findAll({
      attributes: ['id', 'secretCiphertext', 'previousSecretCiphertext'],
      where: { [Op.or]: [{ secretCiphertext: { [Op.like]: like } }, { previousSecretCiphertext: { [Op.like]: like } }] },
    });
    return rows.map((r) => r.get({ plain: true }) as WebhookSubscriptionModel);
  },

  /** Replaces a secret's ciphertext only while it is still the one read (a rotation meanwhile wins). */
  async replaceCiphertext(id: string, column: 'secretCiphertext' | 'previousSecretCiphertext', from: string, to: string): Promise<void> {
    await WebhookSubscriptionModel.update({ [column]: to }, { where: { id, [column]: from } });
  },

  async remove(id: string): Promise<boolean> {
    return (await WebhookSubscriptionModel.destroy({ where: { id } })) > 0;
  },

  async deliveryPage(subscriptionId: string, filters: { status?: string; eventType?: string }, limit: number, after?: readonly [string, string]): Promise<DeliveryRow[]> {
    const and: WhereOptions[] = [{ subscriptionId }];
    if (filters.status) and.push({ status: filters.status });
    if (filters.eventType) and.push({ eventType: filters.eventType });
    if (after) and.push({ [Op.or]: [{ createdAt: { [Op.lt]: after[0] } }, { createdAt: after[0], id: { [Op.lt]: after[1] } }] });
    const rows = await WebhookDeliveryModel.findAll({ where: { [Op.and]: and }, order: [['createdAt', 'DESC'], ['id', 'DESC']], limit: limit + 1 });
    return rows.map((r) => r.get({ plain: true }) as DeliveryRow);
  },

  async delivery(id: string): Promise<DeliveryRow | null> {
    return plain(await WebhookDeliveryModel.findByPk(id));
  },

  async deliveryByMessageId(messageId: string): Promise<DeliveryRow | null> {
    return plain(await WebhookDeliveryModel.findOne({ where: { messageId } }));
  },

  async attempts(deliveryId: string): Promise<AttemptRow[]> {
    const rows = await WebhookDeliveryAttemptModel.findAll({ where: { deliveryId }, order: [['attemptedAt', 'ASC'], ['id', 'ASC']], limit: 1000 });
    return rows.map((r) => r.get({ plain: true }) as AttemptRow);
  },
};
