import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { asAdmin, customer, ok, type Schemas, type TestUser } from '../../support/api';
import { client } from '../../support/client';
import { query } from '../../support/database';
import type { FakeStripe } from '../../support/fakes/stripe.fake';
import { intentOf, payWithStripe, stripeWebhook, unpaidOrder } from '../integrations/helpers';

export type Refund = Schemas['Refund'];

/** An order of 2 × 10,00 € + 22 % VAT (24,40 €) paid through the fake Stripe: captured. */
export async function stripePaidOrder(stripe: FakeStripe, buyer?: TestUser) {
  const made = await unpaidOrder(buyer ?? (await customer()));
  const created = await payWithStripe(made.order.id, made.buyer.token);
  expect(created.response.status).to.equal(201);
  ok(await stripeWebhook(stripe.succeeded(intentOf(created))));
  return { ...made, paymentId: created.data!.id, intentId: intentOf(created) };
}

/** POST /orders/{id}/refunds as staff (an admin unless `token`), with a fresh Idempotency-Key unless `key`. */
export async function askRefund(orderId: string, body: Schemas['CreateRefundRequest'], options: { token?: string; key?: string } = {}) {
  return client(options.token ?? (await asAdmin())).POST('/api/v1/orders/{id}/refunds', {
    params: { path: { id: orderId } },
    body,
    headers: { 'idempotency-key': options.key ?? randomUUID() },
  });
}

export async function refundRows(paymentId: string) {
  return query<{
    id: string;
    amount_cents: string;
    status: string;
    reason: string;
    return_id: string | null;
    requested_by: string | null;
    last_error: string | null;
  }>('SELECT id, amount_cents, status, reason, return_id, requested_by, last_error FROM refunds WHERE payment_id = $1 ORDER BY created_at, id', [paymentId]);
}

export async function paymentRow(paymentId: string) {
  const [row] = await query<{ status: string; amount_cents: string; refunded_cents: string }>(
    'SELECT status, amount_cents, refunded_cents FROM payments WHERE id = $1',
    [paymentId],
  );
  return row!;
}

export async function refundEvents(orderId: string): Promise<Record<string, any>[]> {
  const rows = await query<{ data: Record<string, any> }>("SELECT data FROM events WHERE type = 'refund.updated' AND data->>'orderId' = $1 ORDER BY id", [
    orderId,
  ]);
  return rows.map((r) => r.data);
}
