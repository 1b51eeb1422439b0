import type { Logger } from 'pino';
import type { Db, Tx } from '../platform/db/db';
import { AppError } from '../platform/errors';
import { withProviderCall, type ProviderRegistry } from '../platform/upstream';
import type { PaymentProvider } from './payment-provider';
import { paymentRepository as payments, type PaymentRecord, type PaymentStatus } from './payment.repository';
import { refundRepository as refunds, type RefundRecord } from './refund.repository';
import { recordPaymentEvent } from './payment-event';
import { recordRefundEvent } from './refund-event';

/** What a refund says besides its payment and amount: why, for which return, asked by whom. */
export interface RefundDetails {
  customerId: string;
  reason: string;
  returnId?: string | null;
  requestedBy?: string | null;
}

/** A refusal the provider will repeat however often it is asked; anything else is worth another attempt. */
function isDefinitive(err: unknown): boolean {
  return !(err instanceof AppError) || !['provider-timeout', 'provider-error', 'provider-unavailable', 'provider-bad-response'].includes(err.code);
}

/** Payments a refund may still change (a payment refunded from the provider's dashboard stays refunded). */
const REFUNDABLE: ReadonlySet<PaymentStatus> = new Set(['captured', 'partially_refunded']);

/** What one attempt at a refund came to. */
type AttemptOutcome = 'succeeded' | 'settled-already' | 'retry-later' | 'refused';

/**
 * Refunds, exactly once and never under a lock: the transaction that decides a refund (a cancel, a
 * payment captured for an order no longer payable) only records it, `pending`; after the commit the
 * request makes it at once, and a background pass retries what failed or was cut short by a crash.
 * Each attempt follows the provider protocol (`withProviderCall`): claimed in a short transaction,
 * made at the provider outside any, settled in another that re-checks the refund and the payment.
 * The refund row's id is the provider's idempotency key and its amount the amount asked, so a
 * repeated call pays back once. A payment may have several refunds (the rest of an order cancelled,
 * then the order): their sum never exceeds what was captured (`payments.refunded_cents`, kept by a
 * trigger, under a CHECK). A provider's refusal (a disputed charge) marks the refund failed, gives
 * its amount back to the payment's balance and says so on the payment.
 */
export class Refunds {
  constructor(
    private readonly db: Db,
    private readonly providers: ProviderRegistry<PaymentProvider>,
    private readonly logger: Logger,
  ) {}

  /**
   * Records a refund of `amountCents` of a payment, `pending`, with its `refund.updated` (the caller
   * holds the order's lock and the payment's, and keeps within its balance; the database refuses
   * more than was captured). Nothing for a zero amount.
   */
  async request(tx: Tx, payment: PaymentRecord, amountCents: number, details: RefundDetails): Promise<RefundRecord | undefined> {
    if (amountCents <= 0) return undefined;
    const refund = await refunds.request(tx, {
      paymentId: payment.id,
      customerId: details.customerId,
      amountCents: String(amountCents),
      reason: details.reason,
      returnId: details.returnId ?? null,
      requestedBy: details.requestedBy ?? null,
    });
    // The payment as the trigger left it (its row is locked by the caller).
    await recordRefundEvent(tx, refund, (await payments.find(tx, payment.id)) ?? payment);
    return refund;
  }

  /** After the commit: makes one refund now (its first attempt); a failure is logged and left to the retry pass. */
  async makeOne(id: string): Promise<void> {
    try {
      await this.attempt(id, true);
    } catch (err) {
      this.logger.warn({ err, refundId: id }, 'a refund could not be made now; the retry pass will make it');
    }
  }

  /** After the commit: makes the order's pending refunds now; a failure is logged and left to the retry pass. */
  async makeForOrder(orderId: string): Promise<void> {
    try {
      for (const id of await refunds.pendingOfOrder(orderId)) await this.attempt(id, true);
    } catch (err) {
      this.logger.warn({ err, orderId }, 'refunds after the cancel failed; the retry pass will make them');
    }
  }

  /** The background pass: every refund whose next attempt is due. */
  async makeDue(limit = 50): Promise<number> {
    const due = await refunds.due(limit);
    for (const id of due) await this.attempt(id, false);
    return due.length;
  }

  private async attempt(id: string, first: boolean): Promise<AttemptOutcome | undefined> {
    return withProviderCall(this.db, {
      record: async (tx) => {
        const refund = await refunds.claim(tx, id, first);
        if (!refund) return undefined; // not due, or another worker has it
        const payment = await payments.find(tx, refund.paymentId);
        return payment && { refund, payment };
      },
      call: ({ refund, payment }) =>
        this.providers.get(payment.provider).refund({
          paymentId: payment.id,
          providerPaymentId: payment.providerPaymentId,
          amountCents: Number(refund.amountCents),
          idempotencyKey: `quickstock-refund-${refund.id}`,
        }),
      finish: async (tx, { refund }) => {
        // Settled meanwhile (a duplicate attempt after the claim moved on): nothing more to say.
        const settled = await refunds.settle(tx, refund.id, 'succeeded', null);
        if (!settled) return 'settled-already';
        let locked = await payments.lock(tx, refund.paymentId);
        if (locked && REFUNDABLE.has(locked.status)) {
          // Refunded wholly once what went back reaches what was captured; partly until then.
          const back = await refunds.succeededCents(tx, locked.id);
          const status = back >= Number(locked.amountCents) ? 'refunded' : 'partially_refunded';
          locked = await payments.setStatus(tx, locked.id, status, null);
          await recordPaymentEvent(tx, refund.customerId, locked);
        }
        if (locked) await recordRefundEvent(tx, settled, locked);
        return 'succeeded';
      },
      fail: async (tx, { refund, payment }, err) => {
        if (isDefinitive(err)) return this.refuse(tx, refund, err);
        await refunds.noteFailure(tx, refund.id, err instanceof Error ? err.message : String(err));
        this.logger.warn({ refundId: refund.id, paymentId: payment.id, attempts: refund.attempts, err }, 'refund failed; it will be retried');
        return 'retry-later';
      },
    });
  }

  private async refuse(tx: Tx, refund: RefundRecord, err: unknown): Promise<AttemptOutcome> {
    const reason = `refund refused: ${err instanceof AppError ? err.detail : 'unexpected failure'}`.slice(0, 500);
    this.logger.error({ refundId: refund.id, paymentId: refund.paymentId, err }, 'the provider refused a refund: staff must pay it back by hand');
    const settled = await refunds.settle(tx, refund.id, 'failed', reason);
    if (!settled) return 'settled-already';
    // The failed refund's amount went back to the payment's balance (the trigger); staff settle it by hand or ask again.
    let locked = await payments.lock(tx, refund.paymentId);
    if (locked && REFUNDABLE.has(locked.status)) {
      locked = await payments.setStatus(tx, locked.id, locked.status, reason);
      await recordPaymentEvent(tx, refund.customerId, locked);
    }
    if (locked) await recordRefundEvent(tx, settled, locked);
    return 'refused';
  }
}
