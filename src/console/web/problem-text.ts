import type { components } from '../../../generated/openapi';
import { isMessageKey, lang, statusLabel, t, type MessageKey } from './i18n';

export type Problem = components['schemas']['Problem'];

/** The validator's (English) field messages, read as the reason they give. */
const FIELD_MESSAGES: [RegExp, (m: RegExpMatchArray) => string][] = [
  // The service's own reasons (a barcode, a shipment's lines), before the validator's generic ones.
  [/must hold digits only/, () => t('fieldError.barcodeDigits')],
  [/must be 13 \(EAN-13\), 12 \(UPC-A\) or 8 \(EAN-8\) digits, got (\d+)/, (m) => t('fieldError.barcodeLength', { n: m[1] ?? '' })],
  [
    /wrong check digit: (\d+) would be valid \(the last digit must be (\d), not (\d)\)/,
    (m) => t('fieldError.barcodeCheck', { valid: m[1] ?? '', expected: m[2] ?? '', given: m[3] ?? '' }),
  ],
  [/is not a product of this order/, () => t('fieldError.notOnOrder')],
  [/repeats the product of/, () => t('fieldError.repeated')],
  [/required property/, () => t('fieldError.required')],
  [/must NOT have more than/, () => t('fieldError.tooLong')],
  [/must NOT have fewer than/, () => t('fieldError.tooShort')],
  [/must be >=? ?(-?\d+)/, (m) => t('fieldError.tooSmall', { limit: m[1] ?? '' })],
  [/must be <=? ?(-?\d+)/, (m) => t('fieldError.tooLarge', { limit: m[1] ?? '' })],
  [/must match (format|pattern)/, () => t('fieldError.format')],
  [/allowed values/, () => t('fieldError.oneOf')],
  [/additional properties/, () => t('fieldError.unknown')],
  // The password policy's reasons (users/password-policy.ts).
  [/commonly used password|different characters|must not be blank/, () => t('fieldError.weakPassword')],
];

function fieldMessage(message: string): string {
  for (const [pattern, say] of FIELD_MESSAGES) {
    const match = message.match(pattern);
    if (match) return say(match);
  }
  return t('fieldError.invalid');
}

/** "body.unitPriceCents" → "prezzo"; a missing property is named by the message ("must have required property 'sku'"). */
function fieldName(path: string, message: string): string {
  const missing = message.match(/required property '([^']+)'/)?.[1];
  const name = missing ?? path.replace(/^(body|query|headers|path)\.?/, '').split(/[.[]/)[0] ?? '';
  const key = `field.${name}`;
  return isMessageKey(key) ? t(key) : name || 'request';
}

/**
 * An RFC 9457 problem in plain words of the console's language: the meaning of its `code`, then each
 * refused field, then the extension members (allowed next statuses, short lines). An unknown code
 * keeps the server's own (English) words, marked as such.
 */
export function describeProblem(problem: Partial<Problem> | undefined, status: number): string {
  if (!problem || typeof problem !== 'object') return t('problem.noBody', { status });
  const parts: string[] = [];
  const key = `problem.${problem.code ?? ''}`;
  if (isMessageKey(key)) parts.push(t(key as MessageKey));
  else if (lang() === 'en') parts.push([problem.title, problem.detail].filter(Boolean).join(': '));
  else parts.push(t('problem.generic', { status }), problem.detail ? t('problem.serverSays', { detail: problem.detail }) : '');
  for (const e of problem.errors ?? []) parts.push(t('problem.field', { field: fieldName(e.path, e.message), message: fieldMessage(e.message) }));
  if (problem.allowedStatuses) {
    const allowed = problem.allowedStatuses.map(statusLabel).join(', ');
    parts.push(allowed ? t('problem.allowedNext', { statuses: allowed }) : t('problem.noneAllowed'));
  }
  for (const line of problem.lines ?? []) parts.push(t('problem.line', { requested: line.requested, available: line.available }));
  if (problem.remainingQuantity !== undefined) parts.push(t('problem.remaining', { remaining: problem.remainingQuantity }));
  return parts.filter(Boolean).join(' — ');
}
