/** The payment providers this service knows; `manual` is staff recording money received elsewhere. */
export type PaymentProviderName = 'manual' | 'stripe';

export interface CreatePaymentInput {
  orderId: string;
  orderNumber: string;
  customerId: string;
  amountCents: number;
  currency: 'EUR';
  /** Derived from the payment row: a repeated call (a retry, a restart) creates nothing new at the provider. */
  idempotencyKey: string;
  /** What staff typed for a manual payment (bank transfer reference). */
  reference: string | null;
}

export interface CreatedPayment {
  /** `captured` when the money is already ours (manual); `pending` until the provider's webhook says so. */
  status: 'pending' | 'captured';
  providerPaymentId: string | null;
  reference: string | null;
  /** Handed to the client once, to confirm the payment with the provider (Stripe). */
  clientSecret?: string;
}

export interface RefundInput {
  paymentId: string;
  providerPaymentId: string | null;
  amountCents: number;
  idempotencyKey: string;
}

/** A verified provider event, mapped to what it means for us. */
export type PaymentEvent = { provider: PaymentProviderName; eventId: string; type: string; payload: unknown } & (
  | { kind: 'succeeded'; providerPaymentId: string }
  | { kind: 'failed'; providerPaymentId: string; reason: string }
  | { kind: 'refunded'; providerPaymentId: string }
  | { kind: 'other' }
);

/** The seam between orders and a payment provider. */
export interface PaymentProvider {
  readonly name: PaymentProviderName;
  /** Calls a remote service: never inside a transaction (record, call, then finish; see PaymentsService). */
  readonly remote: boolean;
  createPayment(input: CreatePaymentInput): Promise<CreatedPayment>;
  /**
   * The client secret of a payment still pending at the provider, to hand it out again instead of
   * creating another; null when the provider can no longer complete it (a new one is then created).
   */
  resumePayment(providerPaymentId: string): Promise<{ clientSecret?: string } | null>;
  /** Cancels a payment still pending at the provider, so it can no longer be paid. */
  cancelPayment(providerPaymentId: string): Promise<void>;
  refund(input: RefundInput): Promise<void>;
  /** Verifies the signature on the raw body and parses the event; a bad signature is a 400 AppError. */
  parseWebhook(rawBody: Buffer, headers: Record<string, string | undefined>): PaymentEvent;
}
