import type { Actor, RequestBody } from '../platform/http/contract';
import type { StoredResult } from '../platform/idempotency';
import type { PaymentView } from '../payments';
import { assertTransition } from './order-state-machine';
import { lockVisible, transition } from './order-transition';
import { orderRef, type OrderContext } from './order-context';

/**
 * Pays an unpaid order through a provider (payments own the rules). The order row is locked across
 * the provider call, so a concurrent cancel or payment waits instead of racing; a provider failure
 * rolls everything back and releases the Idempotency-Key for a retry. A captured payment pays the order.
 * Rate-limited per user. A payment still pending is answered again (200) instead of creating another.
 */
export async function payOrder(
  ctx: OrderContext,
  orderId: string,
  input: RequestBody<'createPayment'>,
  actor: Actor,
  idempotencyKey: string | undefined,
): Promise<StoredResult<PaymentView>> {
  await ctx.rateLimits.payments.consume(actor.id);
  const provider = ctx.payments.providerFor(input.provider, actor);
  const reference = input.reference ?? null;
  return ctx.idempotency.run(
    { userId: actor.id, scope: 'createPayment', key: idempotencyKey, fingerprint: { orderId, provider: input.provider, reference } },
    async (tx) => {
      const order = await lockVisible(tx, orderId, actor);
      assertTransition(order.status, 'paid');
      const { view, captured, resumed } = await ctx.payments.create(tx, orderRef(order), provider, reference);
      if (captured) await transition(ctx, tx, order, 'paid', actor, reference ? `${provider.name} payment ${reference}` : `${provider.name} payment`);
      return { status: resumed ? 200 : 201, body: view };
    },
  );
}
