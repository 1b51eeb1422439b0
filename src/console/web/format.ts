import type { components } from '../../../generated/openapi';

export type OrderStatus = components['schemas']['OrderStatus'];
export type Problem = components['schemas']['Problem'];

const money = new Intl.NumberFormat('it-IT', { style: 'currency', currency: 'EUR' });
const dateTime = new Intl.DateTimeFormat('it-IT', { dateStyle: 'short', timeStyle: 'short' });
const number = new Intl.NumberFormat('it-IT');

/** Cents to Italian euro text, e.g. 1299 → "12,99 €". */
export const formatCents = (cents: number): string => money.format(cents / 100);
export const formatDateTime = (iso: string): string => dateTime.format(new Date(iso));
export const formatNumber = (n: number): string => number.format(n);

export const STATUSES: readonly OrderStatus[] = ['pending_payment', 'paid', 'in_preparation', 'shipped', 'delivered', 'cancelled'];

export const STATUS_LABELS: Record<OrderStatus, string> = {
  pending_payment: 'Awaiting payment',
  paid: 'Paid',
  in_preparation: 'In preparation',
  shipped: 'Shipped',
  delivered: 'Delivered',
  cancelled: 'Cancelled',
};

/** Field paths of validation problems read better without the request part ("body.reason" → "reason"). */
const fieldName = (path: string): string => path.replace(/^(body|query|headers|path)\.?/, '') || 'request';

/** An RFC 9457 problem in plain words: what went wrong, then each field that was refused. */
export function describeProblem(problem: Partial<Problem> | undefined, status: number): string {
  if (!problem || typeof problem !== 'object') return `The server answered ${status} without an explanation. Please try again.`;
  const parts: string[] = [];
  const head = [problem.title, problem.detail].filter((s): s is string => typeof s === 'string' && s.length > 0);
  // A detail that only repeats the title is said once.
  parts.push(head.length === 2 && head[0] === head[1] ? head[0]! : head.join(': '));
  for (const e of problem.errors ?? []) parts.push(`${fieldName(e.path)}: ${e.message}`);
  if (problem.allowedStatuses) {
    const allowed = problem.allowedStatuses.map((s) => STATUS_LABELS[s]).join(', ');
    parts.push(allowed ? `Allowed next: ${allowed}.` : 'No further steps are allowed.');
  }
  for (const line of problem.lines ?? []) parts.push(`Requested ${line.requested}, available ${line.available}.`);
  return parts.filter(Boolean).join(' — ');
}

/** A fresh Idempotency-Key; works outside secure contexts too (crypto.randomUUID needs HTTPS or localhost). */
export function newIdempotencyKey(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return `console-${[...bytes].map((b) => b.toString(16).padStart(2, '0')).join('')}`;
}
