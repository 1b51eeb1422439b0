import type { Transaction } from 'sequelize';
import type { Actor, RequestBody } from '../platform/http/contract';
import type { IdempotentRequest, StoredResult } from '../platform/idempotency';
import type { PaymentAnswer, PaymentProvider } from '../payments';
import { assertTransition } from './order-state-machine';
import { lockVisible, transition } from './order-transition';
import { orderRepository as orders } from './order.repository';
import { orderRef, type OrderContext } from './order-context';

/** Rounds of "the pending payment was cancelled at the provider: start another" before giving up. */
const MAX_ROUNDS = 3;

/**
 * Pays an unpaid order through a provider (payments own the rules). Rate-limited per user. A
 * payment still pending is answered again (200) instead of creating another.
 *
 * A manual payment is recorded and pays the order in one transaction. A remote provider (Stripe)
 * is never called with a connection or a lock held: under the order's lock the attempt is recorded
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
  const request: IdempotentRequest = { userId: actor.id, scope: 'createPayment', key: idempotencyKey, fingerprint: { orderId, provider: input.provider, reference } };
  if (!provider.remote) {
    return ctx.idempotency.run(request, async (tx) => {
      const order = await lockVisible(tx, orderId, actor);
      assertTransition(order.status, 'paid');
      const { view, captured } = await ctx.payments.recordLocal(tx, orderRef(order), provider, reference);
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

/** One round: begin under the lock, call outside, finish under the lock; undefined to start again. */
async function payRemotely(
  ctx: OrderContext,
  orderId: string,
  provider: PaymentProvider,
  actor: Actor,
  request: IdempotentRequest,
): Promise<StoredResult<PaymentAnswer> | undefined> {
  const { start, order } = await ctx.sequelize.transaction(async (tx) => {
    const locked = await lockVisible(tx, orderId, actor);
    assertTransition(locked.status, 'paid');
    return { start: await ctx.payments.begin(tx, orderRef(locked), provider), order: orderRef(locked) };
  });
  if (start.kind === 'resume') {
    const resumed = await ctx.payments.resume(provider, start.payment);
    if (resumed) return ctx.sequelize.transaction((tx) => storeAnswer(ctx, tx, request, 200, resumed));
    await ctx.sequelize.transaction(async (tx) => {
      const locked = await orders.lock(tx, orderId);
      if (locked) await ctx.payments.abandon(tx, locked.customer_id, start.payment.id, 'cancelled at the provider');
    });
    return undefined;
  }
  const finished = await ctx.payments.createAtProvider(provider, order, start.payment, (created) =>
    ctx.sequelize.transaction(async (tx) => {
      const locked = await lockVisible(tx, orderId, actor);
      const outcome = await ctx.payments.finish(tx, orderRef(locked), start.payment.id, created);
      if (!('view' in outcome)) return outcome;
      return storeAnswer(ctx, tx, request, outcome.recordedNow ? 201 : 200, outcome.view);
    }),
  );
  if ('body' in finished) return finished;
  if (finished.cancelAtProvider) await ctx.payments.cancelAtProvider(provider, finished.cancelAtProvider);
  assertTransition(finished.orderStatus, 'paid');
  return undefined; // still payable, but the attempt changed under us (failed meanwhile): start again
}

/**
 * Stores the answer for Idempotency-Key replays without its `clientSecret`: whoever holds the
 * PaymentIntent's client secret can complete the payment, and the key's row lives 24 h. This request
 * still answers with it; a replay asks the provider for it again (`withClientSecret`).
 */
async function storeAnswer(ctx: OrderContext, tx: Transaction, request: IdempotentRequest, status: number, answer: PaymentAnswer): Promise<StoredResult<PaymentAnswer>> {
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
