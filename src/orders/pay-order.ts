import type { Actor, RequestBody } from '../platform/http/contract';
import type { Tx } from '../platform/db/db';
import type { IdempotentRequest, StoredResult } from '../platform/idempotency';
import type { PaymentAnswer, PaymentProvider } from '../payments';
import { withProviderCall } from '../platform/upstream';
import { assertTransition, type OrderStatus } from './order-state-machine';
import { lockVisible, transition } from './order-transition';
import { orderRepository as orders } from './order.repository';
import type { OrderContext } from './order-context';

/** Rounds of "the pending payment was cancelled at the provider: start another" before giving up. */
const MAX_ROUNDS = 3;

/**
 * Pays an unpaid order through a provider (payments own the rules). Rate-limited per user. A
 * payment still pending is answered again (200) instead of creating another.
 *
 * A manual payment is recorded and pays the order in one transaction. A remote provider (Stripe)
 * follows the provider protocol (`withProviderCall`), never called with a connection or a lock
 * held: under the order's lock the attempt is recorded
 * (or the pending one found); the provider is called outside any transaction, keyed by the payment
 * row, so a retry after a timeout or a crash gets the same PaymentIntent; then a short transaction
 * locks the order again and re-checks it. A cancel that won meanwhile fails the attempt and cancels
 * it at the provider (409 to the payer); a late success would be refunded by the webhook.
 */
export async function payOrder(
  ctx: OrderContext,
  orderId: string,
  input: RequestBody<'createPayment'>,
  actor: Actor,
  idempotencyKey: string | undefined,
): Promise<StoredResult<PaymentAnswer>> {
  await ctx.rateLimits.payments.consume(actor.id);
  const provider = ctx.payments.providerFor(input.provider, actor);
  const reference = input.reference ?? null;
  const request: IdempotentRequest = {
    userId: actor.id,
    scope: 'createPayment',
    key: idempotencyKey,
    fingerprint: { orderId, provider: input.provider, reference },
  };
  if (!provider.remote) {
    return ctx.idempotency.run(request, async (tx) => {
      const order = await lockVisible(tx, orderId, actor);
      assertTransition(order.status, 'paid');
      const { view, captured } = await ctx.payments.recordLocal(tx, order, provider, reference);
      if (captured) await transition(ctx, tx, order, 'paid', actor, reference ? `${provider.name} payment ${reference}` : `${provider.name} payment`);
      return { status: 201, body: view };
    });
  }
  const replay = await ctx.idempotency.replayOf<PaymentAnswer>(request);
  if (replay) return withClientSecret(ctx, provider, replay);
  for (let round = 0; round < MAX_ROUNDS; round += 1) {
    const answer = await payRemotely(ctx, orderId, provider, actor, request);
    if (answer) return withClientSecret(ctx, provider, answer);
  }
  throw new Error(`order ${orderId}: the provider kept cancelling new payments`);
}

/**
 * One round of the provider protocol (`withProviderCall`): begin under the order's lock, call the
 * provider outside any transaction (duplicates of this process join the call of one attempt), finish
 * under the lock again with a re-check; undefined to start again.
 */
async function payRemotely(
  ctx: OrderContext,
  orderId: string,
  provider: PaymentProvider,
  actor: Actor,
  request: IdempotentRequest,
): Promise<StoredResult<PaymentAnswer> | undefined> {
  const outcome = await withProviderCall(ctx.db, {
    record: async (tx) => {
      const order = await lockVisible(tx, orderId, actor);
      assertTransition(order.status, 'paid');
      return { order, start: await ctx.payments.begin(tx, order, provider) };
    },
    join: ({ start }) => (start.kind === 'call' ? `payment:${start.payment.id}` : null),
    call: ({ order, start }) => ctx.payments.callProvider(provider, order, start),
    finish: async (tx, { start }, called): Promise<RoundOutcome> => {
      if (called.kind === 'resumed') {
        if (called.answer) return { kind: 'stored', stored: await storeAnswer(ctx, tx, request, 200, called.answer) };
        const locked = await orders.lock(tx, orderId);
        if (locked) await ctx.payments.abandon(tx, locked.customerId, start.payment.id, 'cancelled at the provider');
        return { kind: 'again' };
      }
      const locked = await lockVisible(tx, orderId, actor);
      const finished = await ctx.payments.finish(tx, locked, start.payment.id, called.created);
      if (!('view' in finished)) return { kind: 'refused', ...finished };
      return { kind: 'stored', stored: await storeAnswer(ctx, tx, request, finished.recordedNow ? 201 : 200, finished.view) };
    },
    // The provider's error goes to the payer (502/503) once a refused attempt is forgotten.
    fail: (tx, { start }, err) => ctx.payments.forgetRefused(tx, start, err),
  });
  if (outcome.kind === 'stored') return outcome.stored;
  if (outcome.kind === 'again') return undefined;
  if (outcome.cancelAtProvider) await ctx.payments.cancelAtProvider(provider, outcome.cancelAtProvider);
  assertTransition(outcome.orderStatus, 'paid');
  return undefined; // still payable, but the attempt changed under us (failed meanwhile): start again
}

/** How one round ended: answered, the pending payment cancelled at the provider, or the order no longer payable. */
type RoundOutcome =
  { kind: 'stored'; stored: StoredResult<PaymentAnswer> } | { kind: 'again' } | { kind: 'refused'; orderStatus: OrderStatus; cancelAtProvider: string | null };

/**
 * Stores the answer for Idempotency-Key replays without its `clientSecret`: whoever holds the
 * PaymentIntent's client secret can complete the payment, and the key's row lives 24 h. This request
 * still answers with it; a replay asks the provider for it again (`withClientSecret`).
 */
async function storeAnswer(ctx: OrderContext, tx: Tx, request: IdempotentRequest, status: number, answer: PaymentAnswer): Promise<StoredResult<PaymentAnswer>> {
  const { clientSecret, ...atRest } = answer;
  const stored = await ctx.idempotency.store<PaymentAnswer>(tx, request, status, atRest);
  return stored.replayed || clientSecret === undefined ? stored : { ...stored, body: answer };
}

/** A replayed pending payment gets its client secret back from the provider, outside any transaction. */
async function withClientSecret(ctx: OrderContext, provider: PaymentProvider, result: StoredResult<PaymentAnswer>): Promise<StoredResult<PaymentAnswer>> {
  if (!result.replayed || result.body.clientSecret !== undefined || result.body.status !== 'pending') return result;
  const clientSecret = await ctx.payments.clientSecretOf(provider, result.body.id);
  return clientSecret === undefined ? result : { ...result, body: { ...result.body, clientSecret } };
}
