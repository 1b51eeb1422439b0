import type { components } from '../../../generated/openapi';

export type OrderStatus = components['schemas']['OrderStatus'];

const money = new Intl.NumberFormat('it-IT', { style: 'currency', currency: 'EUR' });
const dateTime = new Intl.DateTimeFormat('it-IT', { dateStyle: 'short', timeStyle: 'short' });
const number = new Intl.NumberFormat('it-IT');

/** Cents to Italian euro text, e.g. 1299 → "12,99 €". */
export const formatCents = (cents: number): string => money.format(cents / 100);
export const formatDateTime = (iso: string): string => dateTime.format(new Date(iso));
export const formatNumber = (n: number): string => number.format(n);

/**
 * Who ordered, as staff see it: the customer's name from the order's summary. A card made from an
 * `order.created` event has no summary until the order is read; it shows the id's start meanwhile.
 */
export const customerLabel = (order: { customerId: string; customer?: { name: string } | undefined }): string =>
  order.customer?.name ?? order.customerId.slice(0, 8);

/** Whether a search text (upper case) matches an order's number or its customer's name or email. */
export const matchesOrder = (order: { number: string; customer?: { name: string; email: string } | undefined }, query: string): boolean =>
  [order.number, order.customer?.name ?? '', order.customer?.email ?? ''].some((text) => text.toUpperCase().includes(query));

export const STATUSES: readonly OrderStatus[] = ['pending_payment', 'paid', 'in_preparation', 'partially_shipped', 'shipped', 'delivered', 'cancelled'];

/** A fresh Idempotency-Key; works outside secure contexts too (crypto.randomUUID needs HTTPS or localhost). */
export function newIdempotencyKey(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return `console-${[...bytes].map((b) => b.toString(16).padStart(2, '0')).join('')}`;
}
