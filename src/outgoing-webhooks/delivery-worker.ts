import type { Sequelize } from 'sequelize-typescript';
import type { Logger } from 'pino';
import type { WebhookSettings } from '../platform/config';
import { recordEvent } from '../platform/events';
import { BackgroundLoop } from '../platform/background/background-loop';
import { deliveryRepository as repo, type ClaimedDelivery } from './delivery.repository';
import { nextRetryDelayMs } from './retry-policy';
import { signatureHeader, type SecretBox } from './secret-box';
import type { SendResult, WebhookSender } from './http-sender';

/** Deliveries one instance sends at once, all subscriptions together. */
const MAX_IN_FLIGHT = 32;

/** What one attempt is: the target, the message, and whether an admin asked for it. */
export interface AttemptTarget {
  deliveryId: string;
  subscriptionId: string;
  messageId: string;
  body: string;
  url: string;
  secretCiphertext: string;
  previousSecretCiphertext: string | null;
  previousSecretExpiresAt: Date | null;
  /** Failed attempts so far (the schedule's position). */
  attemptCount: number;
}

/**
 * Sends due deliveries. Each tick claims what is due (SKIP LOCKED, bounded per subscription) and
 * starts sending without waiting, so a slow receiver holds only its own slots; no database
 * connection or lock is held while a request is out. The outcome is recorded in one short
 * transaction: the attempt, the delivery's next state, the subscription's health and, when it must
 * be disabled (410, or failing for WEBHOOK_DISABLE_AFTER_HOURS), a staff event in the outbox.
 */
export class DeliveryWorker {
  private readonly loop: BackgroundLoop;
  private readonly inFlight = new Set<Promise<void>>();
  private stopped = false;

  constructor(
    private readonly sequelize: Sequelize,
    private readonly settings: WebhookSettings,
    private readonly secrets: SecretBox,
    private readonly sender: WebhookSender,
    private readonly logger: Logger,
  ) {
    this.loop = new BackgroundLoop('webhook delivery', settings.pollMs, () => this.tick(), logger);
  }

  start(): void {
    this.loop.start();
  }

  /** Claims and starts due deliveries now (after a fan-out, or from tests). */
  wake(): Promise<void> {
    return this.loop.runOnce();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.loop.stop();
    await Promise.allSettled([...this.inFlight]);
  }

  /** A lease long enough for one attempt and its recording; an expired one means the worker died. */
  private get leaseMs(): number {
    return this.settings.timeoutMs * 2 + 1_000;
  }

  private async tick(): Promise<void> {
    const room = MAX_IN_FLIGHT - this.inFlight.size;
    if (room <= 0 || this.stopped) return;
    const claimed = await repo.claimDue(this.sequelize, room, this.settings.concurrencyPerSubscription, this.leaseMs);
    for (const row of claimed) {
      const running: Promise<void> = this.attempt(toTarget(row), false)
        .then(() => undefined)
        .catch((err: unknown) => this.logger.warn({ err, deliveryId: row.id }, 'webhook attempt could not be recorded; the claim will expire and it will be sent again'))
        .finally(() => {
          this.inFlight.delete(running);
          // There was work: claim again once half of this batch is done (one claim per few
          // deliveries, not one each; a tick in progress is joined).
          if (this.inFlight.size <= Math.floor(claimed.length / 2)) void this.loop.runOnce();
        });
      this.inFlight.add(running);
    }
  }

  /** One attempt: sign, send, record. Manual attempts (redeliver) are recorded but never rescheduled. */
  async attempt(target: AttemptTarget, manual: boolean): Promise<SendResult> {
    const timestamp = Math.floor(Date.now() / 1000);
    const signing = [this.secrets.open(target.secretCiphertext)];
    if (target.previousSecretCiphertext && target.previousSecretExpiresAt && target.previousSecretExpiresAt.getTime() > Date.now()) {
      signing.push(this.secrets.open(target.previousSecretCiphertext));
    }
    const headers = {
      'content-type': 'application/json',
      'user-agent': 'QuickStock-Webhooks/1.0',
      'webhook-id': target.messageId,
      'webhook-timestamp': String(timestamp),
      'webhook-signature': signatureHeader(target.messageId, timestamp, target.body, signing),
    };
    const attemptedAt = new Date();
    const result = await this.sender.send(target.url, headers, target.body, this.settings.timeoutMs);
    await this.record(target, manual, attemptedAt, headers, result);
    return result;
  }

  private async record(target: AttemptTarget, manual: boolean, attemptedAt: Date, headers: Record<string, string>, result: SendResult): Promise<void> {
    const succeeded = result.errorKind === null;
    await this.sequelize.transaction(async (tx) => {
      // The subscription's row first (as its deletion does, before cascading to deliveries): the
      // same lock order, so recording an attempt and deleting its subscription cannot deadlock.
      // A failed manual attempt changes nothing but the log (not the subscription's health).
      const health = manual && !succeeded ? await repo.lockSubscription(tx, target.subscriptionId) : await repo.health(tx, target.subscriptionId, succeeded);
      if (!health) return; // deleted meanwhile, with its deliveries
      await repo.insertAttempt(tx, { deliveryId: target.deliveryId, attemptedAt, ...result, requestHeaders: headers, manual });
      if (manual) {
        await repo.settleManual(tx, target.deliveryId, succeeded, result.statusCode);
        if (!succeeded) return;
      } else if (succeeded) {
        await repo.settleScheduled(tx, target.deliveryId, 'succeeded', null, result.statusCode);
      } else {
        const delay = result.statusCode === 410 ? null : nextRetryDelayMs(target.attemptCount + 1, this.settings.retryScheduleMs, result);
        await repo.settleScheduled(tx, target.deliveryId, delay === null ? 'failed' : 'pending', delay === null ? null : new Date(Date.now() + delay), result.statusCode);
      }
      if (succeeded || !health.enabled) return;
      const gone = result.statusCode === 410;
      const tooLong = (health.failing_for_ms ?? 0) >= this.settings.disableAfterMs;
      if (!gone && !tooLong) return;
      const reason = gone ? 'gone' : 'failing-too-long';
      const detail = gone
        ? 'The receiver answered 410 Gone.'
        : `No successful delivery for ${formatHours(this.settings.disableAfterMs)} (last: ${result.statusCode === null ? result.errorKind : `HTTP ${result.statusCode}`}).`;
      if (await repo.disable(tx, target.subscriptionId, `${reason}: ${detail}`)) {
        await recordEvent(tx, { type: 'webhook.subscription_disabled', data: { subscriptionId: target.subscriptionId, url: health.url, reason, detail } });
        this.logger.warn({ subscriptionId: target.subscriptionId, reason }, 'webhook subscription disabled');
      }
    });
  }
}

function formatHours(ms: number): string {
  const hours = ms / 3_600_000;
  return hours >= 1 ? `${Math.round(hours)} hours` : `${Math.round(ms / 1000)} seconds`;
}

function toTarget(row: ClaimedDelivery): AttemptTarget {
  return {
    deliveryId: row.id,
    subscriptionId: row.subscription_id,
    messageId: row.message_id,
    body: row.body,
    url: row.url,
    secretCiphertext: row.secret_ciphertext,
    previousSecretCiphertext: row.previous_secret_ciphertext,
    previousSecretExpiresAt: row.previous_secret_expires_at,
    attemptCount: row.attempt_count,
  };
}
