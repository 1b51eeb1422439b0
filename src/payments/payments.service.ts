import type { Transaction } from 'sequelize';
import type { Logger } from 'pino';
import { ForbiddenError } from '../platform/errors';
import { recordEvent } from '../platform/events';
import type { SqlTarget } from '../platform/db/sql';
import { isStaff, type Actor, type Schemas } from '../platform/http/contract';
import type { ProviderRegistry } from '../platform/upstream';
import type { PaymentEvent, PaymentProvider, PaymentProviderName } from './payment-provider';
import { paymentRepository as payments, type PaymentRecord, type PaymentStatus } from './payment.repository';

export type PaymentView = Schemas['Payment'];

/** What payments need to know of the order they belong to (the caller holds its row lock). */
export interface PaymentOrder {
  id: string;
  number: string;
  customerId: string;
  status: Schemas['OrderStatus'];
  grossCents: number;
}

export function toPaymentView(p: PaymentRecord): PaymentView {
  return {
    id: p.id,
    orderId: p.orderId,
    provider: p.provider,
    status: p.status,
    amountCents: Number(p.amountCents),
    currency: p.currency,
    reference: p.reference,
    failureReason: p.failureReason,
    createdAt: new Date(p.createdAt).toISOString(),
  };
}

/**
 * Payments and their policy: creating one through a provider, applying the provider's events,
 * refunding. Orders call these inside the transaction that holds the order's lock; whether the
 * order changes state is for orders to decide from what these answer.
 */
export class PaymentsService {
  constructor(
    private readonly providers: ProviderRegistry<PaymentProvider>,
    private readonly logger: Logger,
  ) {}

  /** The provider for a new payment; manual payments are recorded by staff only. */
  providerFor(name: PaymentProviderName, actor: Actor): PaymentProvider {
    const provider = this.providers.get(name);
    if (name === 'manual' && !isStaff(actor)) throw new ForbiddenError('Only staff can record a manual payment.');
    return provider;
  }

  async listForOrder(target: SqlTarget, orderId: string): Promise<PaymentView[]> {
    return (await payments.listForOrder(target, orderId)).map(toPaymentView);
  }

  /**
   * Pays the order's gross through the provider: `manual` is captured at once, `stripe` stays
   * `pending` until its webhook. An order has at most one pending payment per provider: while one
   * is pending, it is handed out again (`resumed`, with its client secret) instead of creating
   * another; one the provider can no longer complete is marked failed and replaced. Each attempt
   * has its own provider idempotency key.
   */
  async create(
    tx: Transaction,
    order: PaymentOrder,
    provider: PaymentProvider,
    reference: string | null,
  ): Promise<{ view: PaymentView & { clientSecret?: string }; captured: boolean; resumed: boolean }> {
    const pending = await payments.findPending(tx, order.id, provider.name);
    if (pending?.providerPaymentId) {
      const resumed = await provider.resumePayment(pending.providerPaymentId);
      if (resumed) return { view: { ...toPaymentView(pending), ...resumed }, captured: false, resumed: true };
      await this.setStatus(tx, order.customerId, pending, 'failed', 'cancelled at the provider');
    }
    const attempt = (await payments.countAttempts(tx, order.id, provider.name)) + 1;
    const created = await provider.createPayment({
      orderId: order.id,
      orderNumber: order.number,
      customerId: order.customerId,
      amountCents: order.grossCents,
      currency: 'EUR',
      idempotencyKey: `quickstock-order-${order.id}-payment-${attempt}`,
      reference,
    });
    const row = await payments.insert(tx, {
      orderId: order.id,
      provider: provider.name,
      status: created.status,
      amountCents: order.grossCents,
      reference: created.reference,
      providerPaymentId: created.providerPaymentId,
    });
    await this.recordEvent(tx, order.customerId, row);
    const view = toPaymentView(row);
    return { view: created.clientSecret ? { ...view, clientSecret: created.clientSecret } : view, captured: created.status === 'captured', resumed: false };
  }

  /** The order a provider's payment belongs to, if we know the payment. */
  async orderOf(tx: Transaction, provider: PaymentProviderName, providerPaymentId: string): Promise<{ paymentId: string; orderId: string } | undefined> {
    const found = await payments.findByProviderId(tx, provider, providerPaymentId);
    return found && { paymentId: found.id, orderId: found.orderId };
  }

  /**
   * Applies a verified provider event to the payment (the order is already locked, so a webhook and
   * a cancel never deadlock). `paysOrder` tells orders to move the order to paid.
   */
  async applyEvent(tx: Transaction, paymentId: string, order: PaymentOrder, event: Exclude<PaymentEvent, { kind: 'other' }>): Promise<{ outcome: string; paysOrder: boolean }> {
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
        if (payment.status !== 'captured') return done(`ignored-${payment.status}`);
        // Refunded from the provider's dashboard: the money is back; what happens to the order is for staff.
        await this.setStatus(tx, order.customerId, payment, 'refunded', null);
        return done('payment-refunded');
    }
  }

  /**
   * Refunds every captured payment of an order being cancelled. Inside the order's lock: if the
   * provider fails, the whole cancel rolls back and the order stays paid; a retry reuses the refund's
   * idempotency key, so it never pays back twice.
   */
  async refundCaptured(tx: Transaction, order: { id: string; customerId: string }): Promise<void> {
    for (const payment of await payments.lockCapturedOfOrder(tx, order.id)) await this.refund(tx, order.customerId, payment);
  }

  /**
   * Gives back a payment captured after its order stopped being payable (cancelled meanwhile, or
   * paid by another attempt); the order's one payment is kept.
   */
  async refundIfOrphan(tx: Transaction, order: PaymentOrder, provider: PaymentProviderName, providerPaymentId: string): Promise<void> {
    const payment = await payments.lockCapturedByProviderId(tx, provider, providerPaymentId);
    if (!payment || order.status === 'pending_payment') return;
    const others = await payments.hasOtherCaptured(tx, order.id, payment.id);
    if (order.status !== 'cancelled' && !others) return; // it is the order's one payment
    await this.refund(tx, order.customerId, payment);
  }

  /** Refunds one captured payment through its provider, then records it. */
  private async refund(tx: Transaction, customerId: string, payment: PaymentRecord): Promise<void> {
    await this.providers.get(payment.provider).refund({
      paymentId: payment.id,
      providerPaymentId: payment.providerPaymentId,
      amountCents: Number(payment.amountCents),
      idempotencyKey: `quickstock-refund-${payment.id}`,
    });
    await this.setStatus(tx, customerId, payment, 'refunded', null);
  }

  private async setStatus(tx: Transaction, customerId: string, payment: PaymentRecord, status: PaymentStatus, failureReason: string | null): Promise<void> {
    await this.recordEvent(tx, customerId, await payments.setStatus(tx, payment.id, status, failureReason));
  }

  private async recordEvent(tx: Transaction, customerId: string, p: PaymentRecord): Promise<void> {
    await recordEvent(tx, {
      type: 'payment.updated',
      customerId,
      data: { paymentId: p.id, orderId: p.orderId, provider: p.provider, status: p.status, amountCents: Number(p.amountCents), failureReason: p.failureReason },
    });
  }
}
