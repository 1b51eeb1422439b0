import type { Actor, RequestBody } from '../platform/http/contract';
import type { IdempotentRequest, StoredResult } from '../platform/idempotency';
import type { RefundView } from '../payments';
import { lockVisible } from './order-transition';
import { checkOrderVisible } from './read-orders';
import type { OrderContext } from './order-context';

type RefundInput = RequestBody<'createRefund'>;

/**
 * A refund staff ask for (`createRefund`): in one transaction under the Idempotency-Key's claim, the
 * order is locked, then payments check the return (if named) and the balance of the captured
 * payment under its lock and record the refund `pending` with its `refund.updated`. After the
 * commit, never under a lock, the refund's first attempt is made at the provider; the answer is the
 * refund as that attempt left it. A replay of the key answers the same refund as it stands now (the
 * attempt is not made again: the retry pass owns a refund left pending).
 */
export async function refundOrder(
  ctx: OrderContext,
  orderId: string,
  input: RefundInput,
  actor: Actor,
  idempotencyKey: string | undefined,
): Promise<StoredResult<RefundView>> {
  const asked = { amountCents: input.amountCents, reason: input.reason, returnId: input.returnId?.toLowerCase() ?? null };
  const request: IdempotentRequest = { userId: actor.id, scope: 'createRefund', key: idempotencyKey, fingerprint: { orderId, ...asked } };
  const result = await ctx.idempotency.run(request, async (tx) => {
    const order = await lockVisible(tx, orderId, actor);
    const id = await ctx.payments.recordRefund(tx, order, asked, actor.id);
    return { status: 201, body: (await ctx.payments.refundView(tx, id)) as RefundView };
  });
  if (!result.replayed) await ctx.payments.makeRefund(result.body.id);
  return { ...result, body: (await ctx.payments.refundView(ctx.db, result.body.id)) ?? result.body };
}

/** Every refund of the order, oldest first (staff; a customer its own order's, 404 for another's). */
export async function listOrderRefunds(ctx: OrderContext, orderId: string, actor: Actor): Promise<{ items: RefundView[] }> {
  await checkOrderVisible(ctx, orderId, actor);
  return { items: await ctx.payments.listRefunds(ctx.db, orderId) };
}
