import { ok, asAdmin, customer, createProduct, placedOrder, type TestUser, type Product, type Order } from '../../support/api';
import { client } from '../../support/client';

export const STRIPE_HOOK = '/api/v1/webhooks/payments/stripe' as const;
export const EASYPOST_HOOK = '/api/v1/webhooks/shipping/easypost' as const;

export async function unpaidOrder(buyer?: TestUser): Promise<{ buyer: TestUser; order: Order; product: Product }> {
  const who = buyer ?? (await customer());
  const product = await createProduct({ unitPriceCents: 1000, vatRate: 22, initialStock: 10 });
  const order = await placedOrder(who.token, [{ productId: product.id, quantity: 2 }]);
  return { buyer: who, order, product };
}

export function payWithStripe(orderId: string, token: string, idempotencyKey?: string) {
  return client(token).POST('/api/v1/orders/{id}/payments', {
    params: { path: { id: orderId } },
    body: { provider: 'stripe' },
    headers: idempotencyKey ? { 'idempotency-key': idempotencyKey } : {},
  });
}

/** The intent id of a Stripe payment just created (its `reference`); throws when the payment was refused. */
export function intentOf(created: Awaited<ReturnType<typeof payWithStripe>>): string {
  const reference = ok(created).reference;
  if (!reference) throw new Error('the Stripe payment has no reference');
  return reference;
}

/** The signature header the contract requires; a test of an unsigned delivery leaves it out on purpose. */
function signatureHeader<N extends string>(name: N, signature: string | undefined): Record<N, string> {
  return (signature === undefined ? {} : { [name]: signature }) as Record<N, string>;
}

// A provider signs the exact bytes it sends: the typed client posts them unchanged (bodySerializer),
// and the answer is typed by the contract (WebhookAck or a problem).
export function stripeWebhook(delivery: { rawBody: string; signature?: string }, signature = delivery.signature) {
  return client().POST(STRIPE_HOOK, {
    params: { header: signatureHeader('Stripe-Signature', signature) },
    body: {},
    bodySerializer: () => delivery.rawBody,
    headers: { 'content-type': 'application/json' },
  });
}

export function easypostWebhook(delivery: { rawBody: string; signature?: string }, signature = delivery.signature) {
  return client().POST(EASYPOST_HOOK, {
    params: { header: signatureHeader('X-Hmac-Signature', signature) },
    body: {},
    bodySerializer: () => delivery.rawBody,
    headers: { 'content-type': 'application/json' },
  });
}

/** An order paid manually and moved to in_preparation, ready to ship. */
export async function orderInPreparation(): Promise<{ buyer: TestUser; order: Order; product: Product }> {
  const made = await unpaidOrder();
  const admin = await asAdmin();
  const paid = await client(admin).POST('/api/v1/orders/{id}/payments', {
    params: { path: { id: made.order.id } },
    body: { provider: 'manual', reference: 'bank' },
  });
  if (paid.response.status !== 201) throw new Error(`manual payment: ${paid.response.status}`);
  const prep = await client(admin).POST('/api/v1/orders/{id}/status', { params: { path: { id: made.order.id } }, body: { status: 'in_preparation' } });
  if (prep.response.status !== 200) throw new Error(`in_preparation: ${prep.response.status}`);
  return made;
}
