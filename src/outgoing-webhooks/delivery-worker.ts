import type { Logger } from 'pino';
import type { WebhookSettings } from '../platform/config';
import type { Db } from '../platform/db/db';
import { BackgroundLoop } from '../platform/background/background-loop';
import { deliveryRepository as repo, type ClaimedDeliveryRecord } from './delivery.repository';
import { AttemptRecorder } from './attempt-recorder';
import { hmacKey, signWithKeys, type SecretBox } from './secret-box';
import type { SendResult, WebhookSender } from './http-sender';

/** Deliveries one instance sends at once, all subscriptions together. */
const MAX_IN_FLIGHT = 32;
/** Claims one instance holds at once, those answered and being recorded included. */
const MAX_CLAIMED = 4 * MAX_IN_FLIGHT;
/** Signing keys kept opened (two per subscription at most during a rotation). */
const MAX_CACHED_KEYS = 1_000;

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
 * connection or lock is held while a request is out. Outcomes are recorded in batches by the
 * AttemptRecorder: the attempts, the deliveries' next state, the subscriptions' health and, when one
 * must be disabled (410, or failing for WEBHOOK_DISABLE_AFTER_HOURS), a staff event in the outbox.
 */
export class DeliveryWorker {
  private readonly loop: BackgroundLoop;
  private readonly inFlight = new Set<Promise<void>>();
  private stopped = false;
  private wakeQueued = false;
  /** Claimed deliveries of this instance whose receiver has answered, until their outcome is recorded. */
  private readonly answered = new Set<string>();
  private readonly recorder: AttemptRecorder;
  private readonly keys = new Map<string, Buffer>();

  constructor(
    private readonly db: Db,
    private readonly settings: WebhookSettings,
    private readonly secrets: SecretBox,
    private readonly sender: WebhookSender,
    private readonly logger: Logger,
  ) {
    this.loop = new BackgroundLoop('webhook delivery', settings.pollMs, () => this.tick(), logger);
    this.recorder = new AttemptRecorder(db, settings, logger);
  }

  start(): void {
    this.loop.start();
  }

  /**
   * Claims and starts due deliveries now (after a fan-out, an outcome recorded, or from tests). A
   * call during a claim makes the claim run once more after it, so no wake-up is lost to the poll.
   */
  wake(): Promise<void> {
    return this.loop.wake();
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
    // Requests out at once, and (when recording lags) claims held at once, both bounded.
    const room = Math.min(MAX_IN_FLIGHT - (this.inFlight.size - this.answered.size), MAX_CLAIMED - this.inFlight.size);
    if (room <= 0 || this.stopped) return;
    // This instance's answered deliveries still being recorded are no longer in flight to their
    // receivers: they do not count against the per-subscription bound (their claims still hold).
    const claimed = await repo.claimDue(this.db, room, this.settings.concurrencyPerSubscription, this.leaseMs, [...this.answered]);
    for (const row of claimed) {
      const running: Promise<void> = this.attempt(toTarget(row), false)
        .then(() => undefined)
        .catch((err: unknown) =>
          this.logger.warn({ err, deliveryId: row.id }, 'webhook attempt could not be recorded; the claim will expire and it will be sent again'),
        )
        .finally(() => {
          this.inFlight.delete(running);
          this.answered.delete(row.id);
          if (this.inFlight.size === MAX_CLAIMED - 1) void this.wake(); // claims were held back
        });
      this.inFlight.add(running);
    }
  }

  /** Claims again once the answers arriving together are in (one claim for them, not one each). */
  private slotFreed(deliveryId: string): void {
    this.answered.add(deliveryId);
    if (this.wakeQueued) return;
    this.wakeQueued = true;
    setImmediate(() => {
      this.wakeQueued = false;
      void this.wake();
    });
  }

  /** One attempt: sign, send, record. Manual attempts (redeliver) are recorded but never rescheduled. */
  async attempt(target: AttemptTarget, manual: boolean): Promise<SendResult> {
    const timestamp = Math.floor(Date.now() / 1000);
    const keys = [this.signingKey(target.subscriptionId, target.secretCiphertext)];
    if (target.previousSecretCiphertext && target.previousSecretExpiresAt && target.previousSecretExpiresAt.getTime() > Date.now()) {
      keys.push(this.signingKey(target.subscriptionId, target.previousSecretCiphertext));
    }
    const headers = {
      'content-type': 'application/json',
      'user-agent': 'QuickStock-Webhooks/1.0',
      'webhook-id': target.messageId,
      'webhook-timestamp': String(timestamp),
      'webhook-signature': signWithKeys(target.messageId, timestamp, target.body, keys),
    };
    const attemptedAt = new Date();
    const result = await this.sender.send(target.url, headers, target.body, this.settings.timeoutMs);
    if (manual) await this.recordManual(target, attemptedAt, headers, result);
    else {
      this.slotFreed(target.deliveryId);
      await this.recorder.record({
        deliveryId: target.deliveryId,
        subscriptionId: target.subscriptionId,
        attemptCount: target.attemptCount,
        attemptedAt,
        headers,
        result,
      });
    }
    return result;
  }

  /**
   * The HMAC key of a sealed secret, opened once and kept by its ciphertext: a rotation seals a new
   * secret (a new ciphertext, so a new entry) and the old one falls out when the cache is refilled.
   */
  private signingKey(subscriptionId: string, sealed: string): Buffer {
    // Keyed by subscription too: a ciphertext opens only for the subscription it was sealed for,
    // and a copy of it on another row must not find its key here either.
    const cacheKey = `${subscriptionId}.${sealed}`;
    let key = this.keys.get(cacheKey);
    if (!key) {
      if (this.keys.size >= MAX_CACHED_KEYS) this.keys.clear();
      key = hmacKey(this.secrets.open(sealed, subscriptionId));
      this.keys.set(cacheKey, key);
    }
    return key;
  }

  /** A manual attempt changes the log; only a success changes the delivery and the subscription's health. */
  private async recordManual(target: AttemptTarget, attemptedAt: Date, headers: Record<string, string>, result: SendResult): Promise<void> {
    const succeeded = result.errorKind === null;
    await this.db.transaction(async (tx) => {
      // The subscription's row first (as its deletion does, before cascading to deliveries): the
      // same lock order, so recording an attempt and deleting its subscription cannot deadlock.
      const health = succeeded ? await repo.recordManualSuccess(tx, target.subscriptionId) : await repo.lockSubscription(tx, target.subscriptionId);
      if (!health) return; // deleted meanwhile, with its deliveries
      await repo.insertAttempt(tx, { deliveryId: target.deliveryId, attemptedAt, ...result, requestHeaders: headers, manual: true });
      await repo.settleManual(tx, target.deliveryId, succeeded, result.statusCode);
    });
  }
}

function toTarget(row: ClaimedDeliveryRecord): AttemptTarget {
  return {
    deliveryId: row.id,
    subscriptionId: row.subscriptionId,
    messageId: row.messageId,
    body: row.body,
    url: row.url,
    secretCiphertext: row.secretCiphertext,
    previousSecretCiphertext: row.previousSecretCiphertext,
    previousSecretExpiresAt: row.previousSecretExpiresAt,
    attemptCount: row.attemptCount,
  };
}
