import { api, asAdmin, createProduct, customer, placeOrder, type TestUser } from '../../support/api';

export const STRIPE_HOOK = '/api/v1/webhooks/payments/stripe';
export const EASYPOST_HOOK = '/api/v1/webhooks/shipping/easypost';

export async function unpaidOrder(buyer?: TestUser): Promise<{ buyer: TestUser; order: any; product: any }> {
  const who = buyer ?? (await customer());
  const product = await createProduct({ unitPriceCents: 1000, vatRate: 22, initialStock: 10 });
  const res = await placeOrder(who.token, [{ productId: product.id, quantity: 2 }]);
  if (res.status !== 201) throw new Error(`placeOrder: ${res.status}`);
  return { buyer: who, order: res.body, product };
}

export function payWithStripe(orderId: string, token: string, idempotencyKey?: string) {
  return api('POST', `/api/v1/orders/${orderId}/payments`, {
    token,
    body: { provider: 'stripe' },
    headers: idempotencyKey ? { 'idempotency-key': idempotencyKey } : {},
  });
}

export function stripeWebhook(delivery: { rawBody: string; signature?: string }, signature = delivery.signature) {
  return api('POST', STRIPE_HOOK, {
    rawBody: delivery.rawBody,
    headers: { 'content-type': 'application/json', ...(signature !== undefined ? { 'stripe-signature': signature } : {}) },
  });
}

export function easypostWebhook(delivery: { rawBody: string; signature?: string }, signature = delivery.signature) {
  return api('POST', EASYPOST_HOOK, {
    rawBody: delivery.rawBody,
    headers: { 'content-type': 'application/json', ...(signature !== undefined ? { 'x-hmac-signature': signature } : {}) },
  });
}

/** An order paid manually and moved to in_preparation, ready to ship. */
export async function orderInPreparation(): Promise<{ buyer: TestUser; order: any; product: any }> {
  const made = await unpaidOrder();
  const admin = await asAdmin();
  const paid = await api('POST', `/api/v1/orders/${made.order.id}/payments`, { token: admin, body: { provider: 'manual', reference: 'bank' } });
  if (paid.status !== 201) throw new Error(`manual payment: ${paid.status}`);
  const prep = await api('POST', `/api/v1/orders/${made.order.id}/status`, { token: admin, body: { status: 'in_preparation' } });
  if (prep.status !== 200) throw new Error(`in_preparation: ${prep.status}`);
  return made;
}
