import type { Sequelize } from 'sequelize-typescript';
import type { Logger } from 'pino';
import type { WebhookSettings } from '../platform/config';
import { DeliveryWorker } from './delivery-worker';
import { deliveryRepository } from './delivery.repository';
import { FanOut } from './fanout';
import { WebhookSender } from './http-sender';
import { OutgoingWebhooksService } from './outgoing-webhooks.service';
import { SecretBox } from './secret-box';

/** The outgoing-webhooks module wired: the admin service, the fan-out and the delivery worker. */
export class OutgoingWebhooks {
  readonly service: OutgoingWebhooksService;
  readonly fanOut: FanOut;
  readonly worker: DeliveryWorker;
  private readonly sender: WebhookSender;

  constructor(
    private readonly sequelize: Sequelize,
    private readonly settings: WebhookSettings,
    logger: Logger,
  ) {
    const secrets = new SecretBox(settings.secretsKey);
    this.sender = new WebhookSender(settings.allowedCidrs);
    this.worker = new DeliveryWorker(sequelize, settings, secrets, this.sender, logger);
    this.fanOut = new FanOut(sequelize, settings.pollMs, logger, () => void this.worker.wake());
    this.service = new OutgoingWebhooksService(sequelize, settings, secrets, this.worker);
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

  /** For the housekeeper: deletes up to `batch` deliveries past WEBHOOK_LOG_RETENTION_DAYS. */
  purgeOldDeliveries(batch: number): Promise<number> {
    return deliveryRepository.purgeOlderThan(this.sequelize, this.settings.logRetentionDays, batch);
  }
}
