import { AppError } from '../platform/errors';
import type { CreatePaymentInput, CreatedPayment, PaymentEvent, PaymentProvider } from './payment-provider';

/** Money received outside any provider (bank transfer, cash): captured when staff record it, refunded by bookkeeping. */
export class ManualPaymentProvider implements PaymentProvider {
  readonly name = 'manual' as const;
  readonly remote = false;

  async createPayment(input: CreatePaymentInput): Promise<CreatedPayment> {
    return { status: 'captured', providerPaymentId: null, reference: input.reference };
  }

  async resumePayment(): Promise<null> {
    return null; // manual payments are captured when recorded: never pending
  }

  async cancelPayment(): Promise<void> {
    // never pending
  }

  async refund(): Promise<void> {
    // Staff pay the money back outside the system; recording it is all there is to do.
  }

  parseWebhook(): PaymentEvent {
    throw new AppError('no-webhooks', 404, 'The manual payment provider has no webhooks.');
  }
}
