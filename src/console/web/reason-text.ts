import { t } from './i18n';

/**
 * The reasons the service writes by itself, in English, into an order's history and the stock ledger
 * (expiry, a payment or a carrier event, a shipment and its cancellation, initial stock), read back in the console's
 * language. A reason a person typed (a cancellation, a stock movement) is theirs: shown as written.
 */
const SERVICE_REASONS: [RegExp, (m: RegExpMatchArray) => string][] = [
  [/^payment-timeout$/, () => t('reason.paymentTimeout')],
  [/^(manual|stripe) payment$/, (m) => t('reason.payment', { provider: t(m[1] === 'stripe' ? 'payment.stripe' : 'payment.manual') })],
  [
    /^(manual|stripe) payment (.+)$/,
    (m) => t('reason.paymentRef', { provider: t(m[1] === 'stripe' ? 'payment.stripe' : 'payment.manual'), reference: m[2] ?? '' }),
  ],
  [/^shipped with (.+) (\S+)$/, (m) => t('reason.shippedWith', { carrier: m[1] ?? '', tracking: m[2] ?? '' })],
  [/^(\S+) tracker: delivered$/, (m) => t('reason.trackerDelivered', { carrier: m[1] === 'easypost' ? 'EasyPost' : (m[1] ?? '') })],
  [/^order shipped$/, () => t('reason.orderShipped')],
  [/^shipment cancelled$/, () => t('reason.shipmentCancelled')],
  [/^shipment \S+ cancelled$/, () => t('reason.shipmentCancelled')],
  [/^shipment (.+)$/, (m) => t('reason.shipment', { tracking: m[1] ?? '' })],
  [/^initial stock$/, () => t('reason.initialStock')],
  [/^demo data$/, () => t('reason.demoData')],
];

/** A reason the service wrote, in the console's language; undefined for a person's own words. */
export function serviceReason(reason: string): string | undefined {
  for (const [pattern, say] of SERVICE_REASONS) {
    const match = reason.match(pattern);
    if (match) return say(match);
  }
  return undefined;
}

/** A stored reason in the console's language when the service wrote it; a person's words as they are. */
export const reasonText = (reason: string): string => serviceReason(reason) ?? reason;
