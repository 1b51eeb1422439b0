import { randomUUID } from 'node:crypto';
import type { WebhookSettings } from '../platform/config';
import type { Db } from '../platform/db/db';
import { ConflictError, NotFoundError } from '../platform/errors';
import type { RequestBody, Schemas } from '../platform/http/contract';
import { cursorScope, keysetAfter, toPage, type Page } from '../platform/http/pagination';
import { deliveryRepository } from './delivery.repository';
import type { DeliveryWorker } from './delivery-worker';
import { messageBody, newMessageId } from './fanout';
import { newSigningSecret, type SecretBox } from './secret-box';
import { subscriptionRepository as repo, type AttemptRecord, type DeliveryRecord, type SubscriptionRecord } from './subscription.repository';
import { checkWebhookUrl } from './url-policy';

export type SubscriptionView = Schemas['WebhookSubscription'];
export type SubscriptionWithSecret = Schemas['WebhookSubscriptionWithSecret'];
export type DeliveryView = Schemas['WebhookDelivery'];
export type DeliveryDetail = Schemas['WebhookDeliveryDetail'];

/** How long the secret replaced by a rotation keeps signing beside the new one. */
export const ROTATION_OVERLAP_MS = 24 * 3_600_000;

const iso = (d: Date | null): string | null => (d ? d.toISOString() : null);

export function toSubscriptionView(s: SubscriptionRecord): SubscriptionView {
  return {
    id: s.id,
    url: s.url,
    description: s.description,
    eventTypes: s.eventTypes as SubscriptionView['eventTypes'],
    enabled: s.enabled,
    disabledReason: s.disabledReason,
    failingSince: iso(s.failingSince),
    lastSuccessAt: iso(s.lastSuccessAt),
    lastFailureAt: iso(s.lastFailureAt),
    previousSecretExpiresAt: s.previousSecretExpiresAt && s.previousSecretExpiresAt.getTime() > Date.now() ? s.previousSecretExpiresAt.toISOString() : null,
    createdAt: s.createdAt.toISOString(),
    updatedAt: s.updatedAt.toISOString(),
  };
}

export function toDeliveryView(d: DeliveryRecord): DeliveryView {
  return {
    id: d.id,
    subscriptionId: d.subscriptionId,
    webhookId: d.messageId,
    eventType: d.eventType as DeliveryView['eventType'],
    eventId: d.eventId === null ? null : Number(d.eventId),
    status: d.status,
    attemptCount: d.attemptCount,
    nextAttemptAt: d.status === 'pending' ? iso(d.nextAttemptAt) : null,
    lastAttemptAt: iso(d.lastAttemptAt),
    lastStatusCode: d.lastStatusCode,
    createdAt: d.createdAt.toISOString(),
  };
}

function toAttemptView(a: AttemptRecord): DeliveryDetail['attempts'][number] {
  return {
    id: a.id,
    attemptedAt: a.attemptedAt.toISOString(),
    durationMs: a.durationMs,
    statusCode: a.statusCode,
    errorKind: a.errorKind as DeliveryDetail['attempts'][number]['errorKind'],
    responseBody: a.responseBody,
    requestHeaders: a.requestHeaders,
    manual: a.manual,
  };
}

/** Outgoing webhooks for admins: subscriptions, their secrets, the delivery log, tests and redeliveries. */
export class OutgoingWebhooksService {
  constructor(
    private readonly db: Db,
    private readonly settings: WebhookSettings,
    private readonly secrets: SecretBox,
    private readonly worker: DeliveryWorker,
  ) {}

  async create(input: RequestBody<'createWebhookSubscription'>): Promise<SubscriptionWithSecret> {
    await checkWebhookUrl(input.url, this.settings);
    const secret = newSigningSecret();
    // The id is chosen here: the sealed secret is bound to it.
    const id = randomUUID();
    const row = await repo.insert({
      id,
      url: input.url,
      description: input.description ?? null,
      eventTypes: [...input.eventTypes],
      secretCiphertext: this.secrets.seal(secret, id),
    });
    return { ...toSubscriptionView(row), secret };
  }

  async list(query: { limit: number; cursor?: string }): Promise<Page<SubscriptionView>> {
    const scope = cursorScope(query);
    const after = keysetAfter(query.cursor, ['timestamp', 'uuid'] as const, scope);
    const rows = await repo.page(query.limit, after);
    return toPage(rows, query.limit, toSubscriptionView, (s) => [s.createdAt.toISOString(), s.id], scope);
  }

  async get(id: string): Promise<SubscriptionView> {
    return toSubscriptionView(await this.found(id));
  }

  async update(id: string, patch: RequestBody<'updateWebhookSubscription'>): Promise<SubscriptionView> {
    if (patch.url !== undefined) await checkWebhookUrl(patch.url, this.settings);
    const values: Parameters<typeof repo.update>[1] = {};
    if (patch.url !== undefined) values.url = patch.url;
    if (patch.description !== undefined) values.description = patch.description;
    if (patch.eventTypes !== undefined) values.eventTypes = [...patch.eventTypes];
    if (patch.enabled === true) Object.assign(values, { enabled: true, disabledReason: null, failingSince: null });
    if (patch.enabled === false) Object.assign(values, { enabled: false, disabledReason: 'disabled by an admin' });
    const row = await repo.update(id, values);
    if (!row) throw new NotFoundError('The webhook subscription');
    if (patch.enabled === true) void this.worker.wake();
    return toSubscriptionView(row);
  }

  async remove(id: string): Promise<void> {
    if (!(await repo.remove(id))) throw new NotFoundError('The webhook subscription');
  }

  /** A new secret; the current one becomes the previous one, signing beside it for 24 h. */
  async rotateSecret(id: string): Promise<SubscriptionWithSecret> {
    const secret = newSigningSecret();
    const row = await this.db.transaction(async (tx) => {
      const current = await repo.find(id, tx, true);
      if (!current) throw new NotFoundError('The webhook subscription');
      return repo.update(
        id,
        {
          secretCiphertext: this.secrets.seal(secret, id),
          previousSecretCiphertext: current.secretCiphertext,
          previousSecretExpiresAt: new Date(Date.now() + ROTATION_OVERLAP_MS),
        },
        tx,
      );
    });
    if (!row) throw new NotFoundError('The webhook subscription');
    return { ...toSubscriptionView(row), secret };
  }

  /** Queues a `webhook.test` delivery, worked like any other. */
  async sendTest(id: string): Promise<DeliveryView> {
    const subscription = await this.found(id);
    if (!subscription.enabled) throw new ConflictError('subscription-disabled', 'The subscription is disabled; re-enable it to send to it.');
    const messageId = newMessageId();
    const body = messageBody('webhook.test', new Date(), { subscriptionId: id, message: 'A test event from QuickStock.' }, messageId);
    await deliveryRepository.insertDeliveries(this.db, [{ subscriptionId: id, messageId, eventId: null, eventType: 'webhook.test', body }]);
    void this.worker.wake();
    const delivery = await repo.deliveryByMessageId(messageId);
    if (!delivery) throw new Error('the test delivery was not stored');
    return toDeliveryView(delivery);
  }

  async deliveries(subscriptionId: string, query: { limit: number; cursor?: string; status?: string; eventType?: string }): Promise<Page<DeliveryView>> {
    await this.found(subscriptionId);
    const scope = cursorScope(query, { subscriptionId });
    const after = keysetAfter(query.cursor, ['timestamp', 'uuid'] as const, scope);
    const rows = await repo.deliveryPage(subscriptionId, { status: query.status, eventType: query.eventType }, query.limit, after);
    return toPage(rows, query.limit, toDeliveryView, (d) => [d.createdAt.toISOString(), d.id], scope);
  }

  async delivery(id: string): Promise<DeliveryDetail> {
    // Attempts first: an attempt and the delivery's new state commit together, so the delivery read
    // after them is at least as new (never an attempt newer than the state shown).
    const attempts = await repo.attempts(id);
    const delivery = await repo.delivery(id);
    if (!delivery) throw new NotFoundError('The webhook delivery');
    return { ...toDeliveryView(delivery), payload: JSON.parse(delivery.body) as DeliveryDetail['payload'], attempts: attempts.map(toAttemptView) };
  }

  /** One manual attempt now, same webhook-id and body; not rescheduled. */
  async redeliver(id: string): Promise<DeliveryDetail> {
    const delivery = await repo.delivery(id);
    if (!delivery) throw new NotFoundError('The webhook delivery');
    const subscription = await this.found(delivery.subscriptionId);
    if (!subscription.enabled) throw new ConflictError('subscription-disabled', 'The subscription is disabled; re-enable it to send to it.');
    await this.worker.attempt(
      {
        deliveryId: delivery.id,
        subscriptionId: subscription.id,
        messageId: delivery.messageId,
        body: delivery.body,
        url: subscription.url,
        secretCiphertext: subscription.secretCiphertext,
        previousSecretCiphertext: subscription.previousSecretCiphertext,
        previousSecretExpiresAt: subscription.previousSecretExpiresAt,
        attemptCount: delivery.attemptCount,
      },
      true,
    );
    return this.delivery(id);
  }

  private async found(id: string): Promise<SubscriptionRecord> {
    const row = await repo.find(id);
    if (!row) throw new NotFoundError('The webhook subscription');
    return row;
  }
}
