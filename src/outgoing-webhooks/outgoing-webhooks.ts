import type { Logger } from 'pino';
import type { WebhookSettings } from '../platform/config';
import type { ModulePurge } from '../platform/background/module-purge';
import type { Db } from '../platform/db/db';
import { DeliveryWorker } from './delivery-worker';
import { deliveryRepository } from './delivery.repository';
import { FanOut } from './fanout';
import { WebhookSender } from './http-sender';
import { OutgoingWebhooksService } from './outgoing-webhooks.service';
import { SecretBox } from './secret-box';
import { subscriptionRepository } from './subscription.repository';

/** The outgoing-webhooks module wired: the admin service, the fan-out and the delivery worker. */
export class OutgoingWebhooks {
  readonly service: OutgoingWebhooksService;
  readonly fanOut: FanOut;
  readonly worker: DeliveryWorker;
  /** For the housekeeper: deliveries past WEBHOOK_LOG_RETENTION_DAYS (their attempts go by cascade). */
  readonly purge: ModulePurge;
  private readonly sender: WebhookSender;
  private readonly secrets: SecretBox;

  constructor(
    db: Db,
    settings: WebhookSettings,
    private readonly logger: Logger,
  ) {
    const secrets = new SecretBox(settings.secretsKey);
    this.secrets = secrets;
    this.sender = new WebhookSender(settings.allowedCidrs);
    this.worker = new DeliveryWorker(db, settings, secrets, this.sender, logger);
    this.fanOut = new FanOut(db, settings.pollMs, logger, () => void this.worker.wake());
    this.service = new OutgoingWebhooksService(db, settings, secrets, this.worker);
    this.purge = { what: 'webhook deliveries', run: (batch) => deliveryRepository.purgeOlderThan(db, settings.logRetentionDays, batch) };
  }

  /**
   * Seals again, bound to their subscription, the secrets stored in the first format (no associated
   * data), which nothing else reads any more. Run at start-up before deliveries; idempotent, and safe
   * with several instances (each row is replaced only while it still holds what was read).
   */
  async resealLegacySecrets(): Promise<number> {
    let resealed = 0;
    for (const row of await subscriptionRepository.withSecretsPrefixed('v1.')) {
      for (const column of ['secretCiphertext', 'previousSecretCiphertext'] as const) {
        const sealed = row[column];
        if (!sealed || !SecretBox.isLegacy(sealed)) continue;
        await subscriptionRepository.replaceCiphertext(row.id, column, sealed, this.secrets.reseal(sealed, row.id));
        resealed += 1;
      }
    }
    if (resealed > 0) this.logger.info({ resealed }, 'webhook signing secrets sealed again, bound to their subscriptions');
    return resealed;
  }

  start(): void {
    this.fanOut.start();
    this.worker.start();
  }

  async stop(): Promise<void> {
    await this.fanOut.stop();
    await this.worker.stop();
    this.sender.close();
  }
}
