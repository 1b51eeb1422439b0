import Stripe from 'stripe';
import { AppError } from '../platform/errors';
import { ProviderError, type ProviderCaller } from '../platform/upstream';
import { BoundedHttpClient } from './bounded-http-client';
import { assertSingleTimestamp, assertStripeEventShape } from './stripe-event-shape';
import type { CreatePaymentInput, CreatedPayment, PaymentEvent, PaymentProvider, RefundInput } from './payment-provider';

/** Stripe's own check refuses old signatures; we also refuse ones from the future (MEASURED.md). */
const SIGNATURE_TOLERANCE_SECONDS = 300;

export interface StripeSettings {
  secretKey: string;
  webhookSecret: string;
  apiUrl: string | null;
  timeoutMs: number;
  maxResponseBytes: number;
}

/** Maps whatever the SDK throws to our failure kinds (see ProviderError). */
export function classifyStripeError(err: unknown): ProviderError {
  if (err instanceof ProviderError) return err;
  const e = err as { type?: string; statusCode?: number; message?: string; oversized?: boolean; code?: string };
  const message = e?.message ?? 'unknown error';
  const status = e?.statusCode;
  if (e?.oversized) return new ProviderError('stripe', 'bad-response', message, status, err);
  if (typeof status === 'number') {
    // 409: another request with the same idempotency key is still running at Stripe (a second
    // instance finishing the same payment attempt): like a 429, worth retrying shortly.
    if (status === 429 || status === 409) return new ProviderError('stripe', 'rate-limited', message, status, err);
    if (status >= 500) return new ProviderError('stripe', 'server', message, status, err);
    if (status >= 400) return new ProviderError('stripe', 'rejected', message, status, err);
    return new ProviderError('stripe', 'bad-response', message, status, err);
  }
  if (e?.type === 'StripeConnectionError') {
    return new ProviderError('stripe', /timed out|timeout/i.test(message) ? 'timeout' : 'network', message, undefined, err);
  }
  return new ProviderError('stripe', 'bad-response', message, undefined, err);
}

/** Stripe PaymentIntents, refunds and signed webhooks, through the official SDK. */
export class StripePaymentProvider implements PaymentProvider {
  readonly name = 'stripe' as const;
  readonly remote = true;
  private readonly stripe: Stripe;

  constructor(
    private readonly settings: StripeSettings,
    private readonly caller: ProviderCaller,
  ) {
    const base = settings.apiUrl ? new URL(settings.apiUrl) : null;
    this.stripe = new Stripe(settings.secretKey, {
      telemetry: false,
      // Retries are ours (ProviderCaller), so that backoff and the breaker see every attempt.
      maxNetworkRetries: 0,
      timeout: settings.timeoutMs,
      httpClient: new BoundedHttpClient(settings.maxResponseBytes),
      ...(base
        ? {
            host: base.hostname,
            port: base.port || (base.protocol === 'http:' ? 80 : 443),
            protocol: base.protocol === 'http:' ? ('http' as const) : ('https' as const),
          }
        : {}),
    });
  }

  async createPayment(input: CreatePaymentInput): Promise<CreatedPayment> {
    // Safe to retry: Stripe replays the first answer for the same idempotency key.
    const intent = await this.caller.call({ operation: 'create a PaymentIntent', safe: true }, async () => {
      try {
        return await this.stripe.paymentIntents.create(
          {
            amount: input.amountCents,
            currency: input.currency.toLowerCase(),
            automatic_payment_methods: { enabled: true },
            description: `QuickStock order ${input.orderNumber}`,
            metadata: { orderId: input.orderId, orderNumber: input.orderNumber, customerId: input.customerId },
          },
          { idempotencyKey: input.idempotencyKey },
        );
      } catch (err) {
        throw classifyStripeError(err);
      }
    });
    if (!intent || typeof intent.id !== 'string' || typeof intent.client_secret !== 'string') {
      throw new ProviderError('stripe', 'bad-response', 'PaymentIntent without id or client_secret');
    }
    return { status: 'pending', providerPaymentId: intent.id, reference: intent.id, clientSecret: intent.client_secret };
  }

  async resumePayment(providerPaymentId: string): Promise<{ clientSecret?: string } | null> {
    const intent = await this.caller.call({ operation: 'read a PaymentIntent', safe: true }, async () => {
      try {
        return await this.stripe.paymentIntents.retrieve(providerPaymentId);
      } catch (err) {
        throw classifyStripeError(err);
      }
    });
    if (!intent || typeof intent.client_secret !== 'string') throw new ProviderError('stripe', 'bad-response', 'PaymentIntent without client_secret');
    return intent.status === 'canceled' ? null : { clientSecret: intent.client_secret };
  }

  async cancelPayment(providerPaymentId: string): Promise<void> {
    await this.caller.call({ operation: 'cancel the PaymentIntent', safe: true }, async () => {
      try {
        return await this.stripe.paymentIntents.cancel(providerPaymentId);
      } catch (err) {
        throw classifyStripeError(err);
      }
    });
  }

  async refund(input: RefundInput): Promise<void> {
    if (!input.providerPaymentId) throw new AppError('refund-not-possible', 409, 'This Stripe payment has no PaymentIntent to refund.');
    await this.caller.call({ operation: 'refund the payment', safe: true }, async () => {
      try {
        return await this.stripe.refunds.create(
          { payment_intent: input.providerPaymentId as string, amount: input.amountCents, metadata: { paymentId: input.paymentId } },
          { idempotencyKey: input.idempotencyKey },
        );
      } catch (err) {
        throw classifyStripeError(err);
      }
    });
  }

  parseWebhook(rawBody: Buffer, headers: Record<string, string | undefined>): PaymentEvent {
    const signature = headers['stripe-signature'];
    if (!signature) throw new AppError('invalid-signature', 400, 'The Stripe-Signature header is missing.');
    assertSingleTimestamp(signature);
    let event: unknown;
    try {
      event = this.stripe.webhooks.constructEvent(rawBody, signature, this.settings.webhookSecret, SIGNATURE_TOLERANCE_SECONDS);
    } catch (err) {
      throw new AppError('invalid-signature', 400, 'The Stripe-Signature does not match this body, or its timestamp is too old.', { cause: err });
    }
    assertStripeEventShape(event);
    const timestamp = Number(/(?:^|,)t=(\d+)/.exec(signature)?.[1]);
    if (!Number.isFinite(timestamp) || timestamp > Date.now() / 1000 + SIGNATURE_TOLERANCE_SECONDS) {
      throw new AppError('invalid-signature', 400, 'The Stripe-Signature timestamp is in the future.');
    }
    const base = { provider: 'stripe' as const, eventId: event.id, type: event.type, payload: event };
    switch (event.type) {
      case 'payment_intent.succeeded':
        return { ...base, kind: 'succeeded', providerPaymentId: event.data.object.id };
      case 'payment_intent.payment_failed': {
        const error = event.data.object.last_payment_error;
        return { ...base, kind: 'failed', providerPaymentId: event.data.object.id, reason: error?.message ?? error?.code ?? 'payment failed' };
      }
      case 'charge.refunded': {
        // Sent for every refund, partial ones included (ours, e.g. the rest of an order cancelled):
        // only a charge refunded whole (`refunded: true`) makes the payment refunded.
        const intent = event.data.object.payment_intent;
        const id = typeof intent === 'string' ? intent : intent?.id;
        return id && event.data.object.refunded === true ? { ...base, kind: 'refunded', providerPaymentId: id } : { ...base, kind: 'other' };
      }
      default:
        return { ...base, kind: 'other' };
    }
  }
}
