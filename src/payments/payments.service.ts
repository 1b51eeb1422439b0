import type { Logger } from 'pino';
import { AppError, ConflictError, ForbiddenError } from '../platform/errors';
import type { Db, DbTarget, Tx } from '../platform/db/db';
import { isStaff, type Actor, type Schemas } from '../platform/http/contract';
import type { ProviderRegistry } from '../platform/upstream';
import type { CreatedPayment, PaymentEvent, PaymentProvider, PaymentProviderName } from './payment-provider';
import { paymentRepository as payments, type PaymentRecord, type PaymentStatus } from './payment.repository';
import { recordPaymentEvent } from './payment-event';
import { Refunds } from './refunds';
import { refundRepository } from './refund.repository';
import { NO_RETURNS, checkReturnRefund, type ReturnRefundCeilings } from './return-ceilings';
import { refundReads } from './refund-reads';

/** Why the service's own refunds go back (the customer reads it in the refund mail). */
export const REFUND_REASONS = {
  cancelled: 'ordine annullato',
  restCancelled: "resto dell'ordine annullato",
  orphanPayment: 'pagamento arrivato per un ordine non più da pagare',
} as const;

/** A refund staff ask for (`createRefund`). */
export interface RefundAsked {
  amountCents: number;
  reason: string;
  returnId: string | null;
}

export type PaymentView = Schemas['Payment'];

/** What payments need to know of the order they belong to (the caller holds its row lock when in a transaction). */
export interface PaymentOrder {
  id: string;
  number: string;
  customerId: string;
  status: Schemas['OrderStatus'];
  /** bigint, as text. */
  grossCents: string;
}

export function toPaymentView(p: PaymentRecord): PaymentView {
  return {
    id: p.id,
    orderId: p.orderId,
    provider: p.provider,
    status: p.status,
    amountCents: Number(p.amountCents),
    refundedCents: Number(p.refundedCents),
    currency: p.currency,
    reference: p.reference,
    failureReason: p.failureReason,
    createdAt: new Date(p.createdAt).toISOString(),
  };
}

export type PaymentAnswer = PaymentView & { clientSecret?: string };

/** Where a payment through a remote provider starts, decided under the order's lock. */
export type PaymentStart =
  /** A payment already pending at the provider: hand it out again. */
  | { kind: 'resume'; payment: PaymentRecord }
  /** An attempt recorded (now, or by a request that has not finished): create it at the provider. */
  | { kind: 'call'; payment: PaymentRecord };

/** What the provider answered for a start, outside any transaction (`callProvider`). */
export type PaymentCall =
  /** The pending payment with its client secret again, or null when the provider can no longer complete it. */
  { kind: 'resumed'; answer: PaymentAnswer | null } | { kind: 'created'; created: CreatedPayment };

/** What finishing an attempt found: the payment recorded, or the order no longer payable. */
export type PaymentFinish = { view: PaymentAnswer; recordedNow: boolean } | { orderStatus: Schemas['OrderStatus']; cancelAtProvider: string | null };

/** What a payment still holds: captured, less its refunds that did not fail. */
const balanceOf = (p: PaymentRecord): number => Number(p.amountCents) - Number(p.refundedCents);

/** Payments a refund may still take from (a payment refunded from the provider's dashboard is done). */
const isRefundable = (p: PaymentRecord): boolean => p.status === 'captured' || p.status === 'partially_refunded';

/** The provider refused the attempt outright: nothing exists there, and its idempotency key is spent. */
const isRefusal = (err: unknown) => err instanceof AppError && (err.code === 'provider-rejected' || err.code === 'provider-bad-response');

/**
 * Payments and their policy: creating one through a provider, applying the provider's events,
 * refunding. A remote payment follows the provider protocol (`withProviderCall`, driven by
 * orders' `pay-order.ts`): recorded first (`begin`, under the order's lock), created at the provider
 * outside any transaction (`callProvider`, keyed by the payment row, so a retry or a restart gets the
 * same provider payment), then finished in a short transaction that re-checks the order (`finish`,
 * or `forgetRefused` when the provider refused it). Refunds are recorded under the lock and made
 * after the commit (`Refunds`).
 */
export class PaymentsService {
  private readonly refunds: Refunds;

  constructor(
    private readonly db: Db,
    private readonly providers: ProviderRegistry<PaymentProvider>,
    private readonly logger: Logger,
    /** What returns let staff refund (returns answer it; none known until they do). */
    private readonly returns: ReturnRefundCeilings = NO_RETURNS,
  ) {
    this.refunds = new Refunds(db, providers, logger);
  }

  /** The provider for a new payment; manual payments are recorded by staff only. */
  providerFor(name: PaymentProviderName, actor: Actor): PaymentProvider {
    const provider = this.providers.get(name);
    if (name === 'manual' && !isStaff(actor)) throw new ForbiddenError('Only staff can record a manual payment.');
    return provider;
  }

  /** A payment through a provider with nothing to call (manual): captured at once, in the caller's transaction. */
  async recordLocal(tx: Tx, order: PaymentOrder, provider: PaymentProvider, reference: string | null): Promise<{ view: PaymentView; captured: boolean }> {
    const created = await provider.createPayment({ ...this.paymentInput(order, reference), idempotencyKey: `quickstock-order-${order.id}-manual` });
    const row = await payments.insert(tx, {
      orderId: order.id,
      provider: provider.name,
      status: created.status,
      amountCents: order.grossCents,
      reference: created.reference,
      providerPaymentId: created.providerPaymentId,
    });
    await recordPaymentEvent(tx, order.customerId, row);
    return { view: toPaymentView(row), captured: created.status === 'captured' };
  }

  /**
   * Under the order's lock: an order has at most one pending payment per provider. One pending at
   * the provider is resumed; an attempt recorded but not yet created there (in flight, or left by a
   * crash) is created again under its own key; else a new attempt is recorded.
   */
  async begin(tx: Tx, order: PaymentOrder, provider: PaymentProvider): Promise<PaymentStart> {
    const pending = await payments.findPending(tx, order.id, provider.name);
    if (pending) return pending.providerPaymentId ? { kind: 'resume', payment: pending } : { kind: 'call', payment: pending };
    const row = await payments.insert(tx, {
      orderId: order.id,
      provider: provider.name,
      status: 'pending',
      amountCents: order.grossCents,
      reference: null,
      providerPaymentId: null,
    });
    return { kind: 'call', payment: row };
  }

  /**
   * Outside any transaction: hands out a payment pending at the provider again (`resume`), or
   * creates the attempt there under the idempotency key of its row (requests of this process for the
   * same attempt share this call: `withProviderCall`'s `join`, keyed `payment:<id>`).
   */
  async callProvider(provider: PaymentProvider, order: PaymentOrder, start: PaymentStart): Promise<PaymentCall> {
    if (start.kind === 'resume') return { kind: 'resumed', answer: await this.resume(provider, start.payment) };
    const created = await provider.createPayment({
      ...this.paymentInput(order, null),
      amountCents: Number(start.payment.amountCents),
      idempotencyKey: `quickstock-payment-${start.payment.id}`,
    });
    return { kind: 'created', created };
  }

  /**
   * After a failed `callProvider`: an attempt the provider refused outright is forgotten (nothing
   * exists there and its key is spent), so the next request records a new one. Anything else (a
   * timeout: the provider may have acted) keeps the attempt, which the next request creates again
   * under the same key.
   */
  async forgetRefused(tx: Tx, start: PaymentStart, err: unknown): Promise<void> {
    if (start.kind === 'call' && isRefusal(err)) await payments.dropAttempt(tx, start.payment.id);
  }

  /**
   * The short transaction after the provider answered (the order locked again): records the
   * provider payment on the attempt. When the order stopped being payable during the call (a
   * cancel, the expiry), the attempt is recorded as failed with its provider id (a late success is
   * then refunded by the webhook) and the caller cancels it at the provider after the commit.
   */
  async finish(tx: Tx, order: PaymentOrder, paymentId: string, created: CreatedPayment): Promise<PaymentFinish> {
    const payment = await payments.lock(tx, paymentId);
    if (order.status !== 'pending_payment' || !payment || payment.status !== 'pending') {
      // Only an attempt this call created, and nobody recorded yet, is ours to fail and cancel.
      if (payment?.status !== 'pending' || payment.providerPaymentId) return { orderStatus: order.status, cancelAtProvider: null };
      const failed = await payments.recordProviderPayment(tx, payment.id, {
        status: 'failed',
        providerPaymentId: created.providerPaymentId,
        reference: created.reference,
        failureReason: `the order was ${order.status} during the payment`,
      });
      await recordPaymentEvent(tx, order.customerId, failed);
      return { orderStatus: order.status, cancelAtProvider: created.providerPaymentId };
    }
    let row = payment;
    const recordedNow = !payment.providerPaymentId;
    if (recordedNow) {
      row = await payments.recordProviderPayment(tx, payment.id, {
        status: created.status,
        providerPaymentId: created.providerPaymentId,
        reference: created.reference,
        failureReason: null,
      });
      await recordPaymentEvent(tx, order.customerId, row);
    }
    const view = toPaymentView(row);
    return { view: created.clientSecret ? { ...view, clientSecret: created.clientSecret } : view, recordedNow };
  }

  /** Outside any transaction: the pending payment with its client secret again, or null when the provider can no longer complete it. */
  private async resume(provider: PaymentProvider, payment: PaymentRecord): Promise<PaymentAnswer | null> {
    const resumed = await provider.resumePayment(payment.providerPaymentId as string);
    return resumed && { ...toPaymentView(payment), ...resumed };
  }

  /**
   * Outside any transaction: the client secret of a payment's pending provider payment, asked of the
   * provider again (it is never stored: an idempotent replay gets it from here), or undefined.
   */
  async clientSecretOf(provider: PaymentProvider, paymentId: string): Promise<string | undefined> {
    const payment = await payments.find(this.db, paymentId);
    if (!payment?.providerPaymentId || payment.status !== 'pending') return undefined;
    return (await provider.resumePayment(payment.providerPaymentId))?.clientSecret;
  }

  /** Under the order's lock: a pending payment the provider cancelled is failed, so a new attempt may start. */
  async abandon(tx: Tx, customerId: string, paymentId: string, reason: string): Promise<void> {
    const payment = await payments.lock(tx, paymentId);
    if (payment?.status === 'pending') await this.setStatus(tx, customerId, payment, 'failed', reason);
  }

  /** After the commit, best effort: a payment of an order no longer payable is cancelled at the provider. */
  async cancelAtProvider(provider: PaymentProvider, providerPaymentId: string): Promise<void> {
    try {
      await provider.cancelPayment(providerPaymentId);
    } catch (err) {
      this.logger.warn({ err, provider: provider.name, providerPaymentId }, 'could not cancel a payment at the provider; a late success is refunded');
    }
  }

  private paymentInput(order: PaymentOrder, reference: string | null) {
    return {
      orderId: order.id,
      orderNumber: order.number,
      customerId: order.customerId,
      amountCents: Number(order.grossCents),
      currency: 'EUR' as const,
      reference,
    };
  }

  /** The order a provider's payment belongs to, if we know the payment. */
  async orderOf(tx: Tx, provider: PaymentProviderName, providerPaymentId: string): Promise<{ paymentId: string; orderId: string } | undefined> {
    const found = await payments.findByProviderId(tx, provider, providerPaymentId);
    return found && { paymentId: found.id, orderId: found.orderId };
  }

  /**
   * Applies a verified provider event to the payment (the order is already locked, so a webhook and
   * a cancel never deadlock). `paysOrder` tells orders to move the order to paid.
   */
  async applyEvent(
    tx: Tx,
    paymentId: string,
    order: PaymentOrder,
    event: Exclude<PaymentEvent, { kind: 'other' }>,
  ): Promise<{ outcome: string; paysOrder: boolean }> {
    const payment = await payments.lock(tx, paymentId);
    if (!payment) return { outcome: 'unknown-payment', paysOrder: false };
    const done = (outcome: string) => ({ outcome, paysOrder: false });
    switch (event.kind) {
      case 'succeeded': {
        // A PaymentIntent may fail with one card and then succeed with another.
        if (payment.status !== 'pending' && payment.status !== 'failed') return done(`already-${payment.status}`);
        await this.setStatus(tx, order.customerId, payment, 'captured', null);
        if (order.status !== 'pending_payment') {
          this.logger.warn({ orderId: order.id, paymentId: payment.id, orderStatus: order.status }, 'payment captured for an order that is no longer payable');
          return done('captured-needs-refund');
        }
        return { outcome: 'order-paid', paysOrder: true };
      }
      case 'failed':
        if (payment.status !== 'pending') return done(`already-${payment.status}`);
        await this.setStatus(tx, order.customerId, payment, 'failed', event.reason);
        return done('payment-failed');
      case 'refunded':
        if (payment.status === 'refunded') return done('already-refunded');
        if (payment.status !== 'captured' && payment.status !== 'partially_refunded') return done(`ignored-${payment.status}`);
        // Refunded from the provider's dashboard: the money is back; what happens to the order is for staff.
        await this.setStatus(tx, order.customerId, payment, 'refunded', null);
        return done('payment-refunded');
    }
  }

  /**
   * Records the refund of what every captured payment of an order being cancelled still holds (the
   * whole captured amount, less what earlier refunds took), in the cancel's transaction (which holds
   * the order's lock); `refundNow` makes them after the commit.
   */
  async requestRefunds(tx: Tx, order: { id: string; customerId: string }): Promise<void> {
    for (const payment of await payments.lockRefundableOfOrder(tx, order.id))
      await this.refunds.request(tx, payment, balanceOf(payment), { customerId: order.customerId, reason: REFUND_REASONS.cancelled });
  }

  /**
   * Records refunds of `amountCents` of an order's captured payments (the unshipped part of an order
   * whose rest was cancelled), oldest payment first, each within what it still holds; in the
   * caller's transaction, which holds the order's lock (the payments are locked here). Answers what
   * was recorded: less than asked only when the payments hold less.
   */
  async requestPartialRefund(tx: Tx, order: { id: string; customerId: string }, amountCents: number): Promise<number> {
    let left = amountCents;
    for (const payment of await payments.lockRefundableOfOrder(tx, order.id)) {
      if (left <= 0) break;
      const part = Math.min(left, balanceOf(payment));
      await this.refunds.request(tx, payment, part, { customerId: order.customerId, reason: REFUND_REASONS.restCancelled });
      left -= part;
    }
    return amountCents - left;
  }

  /**
   * Records the refund of a payment captured after its order stopped being payable (cancelled
   * meanwhile, or paid by another attempt); the order's one payment is kept.
   */
  async refundIfOrphan(tx: Tx, order: PaymentOrder, provider: PaymentProviderName, providerPaymentId: string): Promise<void> {
    const payment = await payments.lockCapturedByProviderId(tx, provider, providerPaymentId);
    if (!payment || order.status === 'pending_payment') return;
    const others = await payments.hasOtherCaptured(tx, order.id, payment.id);
    if (order.status !== 'cancelled' && !others) return; // it is the order's one payment
    await this.refunds.request(tx, payment, balanceOf(payment), { customerId: order.customerId, reason: REFUND_REASONS.orphanPayment });
  }

  /**
   * A refund staff ask for, in the caller's transaction, which holds the order's lock: checked
   * against the return it pays back (if any: `returns`) and against the balance of the order's
   * captured payments, locked here, oldest first; recorded `pending` against the first payment that
   * holds the amount, with its `refund.updated`. Answers the refund's id (`makeRefund` makes it after
   * the commit). Refusals: 400 `unknown-return`, 409 `return-not-received`, `refund-exceeds-return`
   * (`returnBalanceCents`), `nothing-to-refund`, `refund-exceeds-balance` (`balanceCents`).
   */
  async recordRefund(tx: Tx, order: { id: string; customerId: string }, asked: RefundAsked, requestedBy: string): Promise<string> {
    if (asked.returnId) await checkReturnRefund(tx, this.returns, order.id, asked.returnId, asked.amountCents);
    const captured = await payments.lockCapturedOfOrder(tx, order.id);
    if (captured.length === 0) throw new ConflictError('nothing-to-refund', 'The order has no captured payment to refund.');
    const refundable = captured.filter(isRefundable);
    const payment = refundable.find((p) => balanceOf(p) >= asked.amountCents);
    if (!payment) {
      const balanceCents = Math.max(0, ...refundable.map(balanceOf));
      const detail = `A refund of ${asked.amountCents} cents is more than the ${balanceCents} cents the payment still holds.`;
      throw new ConflictError('refund-exceeds-balance', detail, { balanceCents });
    }
    const refund = await this.refunds.request(tx, payment, asked.amountCents, {
      customerId: order.customerId,
      reason: asked.reason,
      returnId: asked.returnId,
      requestedBy,
    });
    return (refund as { id: string }).id;
  }

  /** After the commit: the refund's first attempt, now (a provider that does not answer leaves it to the retry pass). */
  makeRefund(id: string): Promise<void> {
    return this.refunds.makeOne(id);
  }

  /** A refund as it stands, or undefined. */
  refundView = refundReads.view;

  /** Every refund of an order's payments, oldest first. */
  listRefunds = refundReads.ofOrder;

  /** What each return named has taken: the sum of its refunds that did not fail (pending included, as its ceiling counts them); a return with none is absent. */
  refundedCentsOfReturns(target: DbTarget, returnIds: readonly string[]): Promise<Map<string, number>> {
    return refundRepository.nonFailedCentsOfReturns(target, returnIds);
  }

  /** After the commit: makes the order's recorded refunds now (what fails is retried by `retryDueRefunds`). */
  refundNow(orderId: string): Promise<void> {
    return this.refunds.makeForOrder(orderId);
  }

  /** The background pass over refunds that failed or were cut short. */
  retryDueRefunds(): Promise<number> {
    return this.refunds.makeDue();
  }

  private async setStatus(tx: Tx, customerId: string, payment: PaymentRecord, status: PaymentStatus, failureReason: string | null): Promise<void> {
    await recordPaymentEvent(tx, customerId, await payments.setStatus(tx, payment.id, status, failureReason));
  }
}
