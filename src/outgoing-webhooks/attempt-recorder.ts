import type { Logger } from 'pino';
import type { WebhookSettings } from '../platform/config';
import type { Db, Tx } from '../platform/db/db';
import { recordEvent } from '../platform/events';
import { deliveryRepository as repo, type HealthChange, type ScheduledOutcome } from './delivery.repository';
import { nextRetryDelayMs } from './retry-policy';
import type { SendResult } from './http-sender';

/** Outcomes recorded in one transaction at most (the claims of one worker are far fewer). */
const MAX_BATCH = 200;

/** A scheduled attempt that got its answer (or failed), waiting to be recorded. */
export interface Answered {
  deliveryId: string;
  subscriptionId: string;
  /** Failed attempts before this one (the schedule's position). */
  attemptCount: number;
  attemptedAt: Date;
  headers: Record<string, string>;
  result: SendResult;
}

interface Queued {
  answered: Answered;
  done: (err?: unknown) => void;
}

/**
 * Records the outcomes of scheduled attempts in batches (group commit): while one transaction
 * writes, the answers arriving meanwhile queue up, and the next write records them all in one
 * statement (the subscriptions' health, the deliveries' new state and their attempts; in a
 * transaction with the disabling when an outcome failed), instead of a transaction per attempt. Nothing is recorded before the
 * receiver answered, and each caller waits for its own outcome's commit, so the claim is held until
 * then (kill -9 leaves the claim to expire and the delivery to be sent again, same webhook-id).
 */
export class AttemptRecorder {
  private readonly queue: Queued[] = [];
  private writing = false;

  constructor(
    private readonly db: Db,
    private readonly settings: WebhookSettings,
    private readonly logger: Logger,
  ) {}

  record(answered: Answered): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ answered, done: (err) => (err === undefined ? resolve() : reject(err)) });
      if (!this.writing) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.writing = true;
    try {
      while (this.queue.length > 0) {
        const batch = this.nextBatch();
        try {
          await this.write(batch.map((q) => q.answered));
          for (const q of batch) q.done();
        } catch (err) {
          // One bad outcome must not lose the others: each again on its own.
          if (batch.length === 1) batch[0]!.done(err);
          else for (const q of batch) await this.write([q.answered]).then(() => q.done(), q.done);
        }
      }
    } finally {
      // Cleared in the same turn as the empty queue was seen: an outcome queued after it starts a new drain.
      this.writing = false;
    }
  }

  /** The oldest outcomes, one per delivery (a delivery re-claimed after its lease expired waits for the next batch). */
  private nextBatch(): Queued[] {
    const ids = new Set<string>();
    const batch: Queued[] = [];
    for (let i = 0; i < this.queue.length && batch.length < MAX_BATCH;) {
      const q = this.queue[i]!;
      if (ids.has(q.answered.deliveryId)) {
        i += 1;
        continue;
      }
      ids.add(q.answered.deliveryId);
      batch.push(q);
      this.queue.splice(i, 1);
    }
    return batch;
  }

  private async write(batch: readonly Answered[]): Promise<void> {
    const outcomes = batch.map((a) => this.outcome(a));
    // Successes never disable a subscription: one statement, no transaction around it.
    if (outcomes.every((o) => o.errorKind === null)) {
      await repo.recordOutcomes(this.db, healthChanges(batch), outcomes);
      return;
    }
    await this.db.transaction(async (tx) => {
      const health = await repo.recordOutcomes(tx, healthChanges(batch), outcomes);
      for (const h of health) {
        const failed = batch.filter((a) => a.subscriptionId === h.id && a.result.errorKind !== null);
        const last = failed.at(-1);
        if (!last || !h.enabled) continue;
        const gone = failed.some((a) => a.result.statusCode === 410);
        const tooLong = (h.failingForMs ?? 0) >= this.settings.disableAfterMs;
        if (gone || tooLong) await this.disable(tx, h.id, h.url, gone, last.result);
      }
    });
  }

  private outcome(a: Answered): ScheduledOutcome {
    const { result } = a;
    const base = { deliveryId: a.deliveryId, subscriptionId: a.subscriptionId, attemptedAt: a.attemptedAt, requestHeaders: a.headers, ...result };
    if (result.errorKind === null) return { ...base, status: 'succeeded', nextAttemptAt: null };
    const delay = result.statusCode === 410 ? null : nextRetryDelayMs(a.attemptCount + 1, this.settings.retryScheduleMs, result);
    return { ...base, status: delay === null ? 'failed' : 'pending', nextAttemptAt: delay === null ? null : new Date(Date.now() + delay) };
  }

  /** Disables a subscription (410, or failing for WEBHOOK_DISABLE_AFTER_HOURS) and tells staff, once. */
  private async disable(tx: Tx, subscriptionId: string, url: string, gone: boolean, last: SendResult): Promise<void> {
    const reason = gone ? 'gone' : 'failing-too-long';
    const detail = gone
      ? 'The receiver answered 410 Gone.'
      : `No successful delivery for ${formatHours(this.settings.disableAfterMs)} (last: ${last.statusCode === null ? last.errorKind : `HTTP ${last.statusCode}`}).`;
    if (await repo.disable(tx, subscriptionId, `${reason}: ${detail}`)) {
      // Its id and host only: the URL may carry a token, and other subscribers receive this event.
      await recordEvent(tx, { type: 'webhook.subscription_disabled', data: { subscriptionId, host: new URL(url).host, reason, detail } });
      this.logger.warn({ subscriptionId, reason }, 'webhook subscription disabled');
    }
  }
}

/** Per subscription, what the batch's outcomes (in the order they arrived) do to its health. */
export function healthChanges(batch: readonly Pick<Answered, 'subscriptionId' | 'result'>[]): HealthChange[] {
  const bySubscription = new Map<string, HealthChange>();
  for (const { subscriptionId, result } of batch) {
    const ok = result.errorKind === null;
    const change = bySubscription.get(subscriptionId) ?? { subscriptionId, anySucceeded: false, anyFailed: false, lastSucceeded: false };
    change.anySucceeded ||= ok;
    change.anyFailed ||= !ok;
    change.lastSucceeded = ok;
    bySubscription.set(subscriptionId, change);
  }
  return [...bySubscription.values()];
}

export function formatHours(ms: number): string {
  const hours = ms / 3_600_000;
  return hours >= 1 ? `${Math.round(hours)} hours` : `${Math.round(ms / 1000)} seconds`;
}
