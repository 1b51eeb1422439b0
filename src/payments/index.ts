export type { PaymentProvider, PaymentProviderName, PaymentEvent, CreatePaymentInput, CreatedPayment, RefundInput } from './payment-provider';
export { ManualPaymentProvider } from './manual.provider';
export { StripePaymentProvider, classifyStripeError, type StripeSettings } from './stripe.provider';
export { PaymentsService, toPaymentView, type PaymentAnswer, type PaymentOrder, type PaymentView } from './payments.service';
export { paymentJobs } from './payments.jobs';
export { PaymentModel } from './payment.model';
export { RefundModel } from './refund.model';
