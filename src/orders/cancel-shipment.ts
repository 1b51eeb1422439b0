import type { Tx } from '../platform/db/db';
import type { Actor } from '../platform/http/contract';
import type { IdempotentRequest, StoredResult } from '../platform/idempotency';
import { withProviderCall } from '../platform/upstream';
import type { CancellableShipment } from '../shipping';
import { ConflictError } from '../platform/errors';
import { illegalTransition } from './order-state-machine';
import { orderRepository as orders, type OrderRecord } from './order.repository';
import { lockVisible } from './order-transition';
import { settleFulfilment } from './settle-fulfilment';
import { getOrder } from './read-orders';
import type { OrderContext } from './order-context';
import type { OrderView } from './order-view';

/** Orders that may have a shipment to cancel (a delivered order's shipments are all delivered). */
const WITH_SHIPMENTS = new Set(['partially_shipped', 'shipped']);

/**
 * Cancels a shipment the carrier does not have yet (staff), so its units can ship again. Under the
 * order's row lock: the shipment becomes `cancelled`, its units leave the lines' shipped counts, its
 * sale is reversed by compensating `sale` movements (the units reserved again for the order) and the
 * order's status follows from the counts (`shipped` → `partially_shipped` or `in_preparation`).
 *
 * A manual shipment is cancelled in one transaction. An EasyPost one follows the provider protocol
 * (`withProviderCall`): a short transaction checks it may be cancelled, its label is refunded at
 * EasyPost outside any transaction, and a short transaction locks the order again and checks the
 * shipment again before cancelling it (a tracker event that said "in transit" meanwhile wins: 409,
 * and the refund asked for is logged for staff). A shipment whose units returns hold is a 409
 * `shipment-has-returns` on either path, before anything changes. Replays under the same Idempotency-Key.
 */
export async function cancelShipment(
  ctx: OrderContext,
  orderId: string,
  shipmentId: string,
  reason: string | null,
  actor: Actor,
  idempotencyKey: string | undefined,
): Promise<StoredResult<OrderView>> {
  const request: IdempotentRequest = { userId: actor.id, scope: 'cancelShipment', key: idempotencyKey, fingerprint: { orderId, shipmentId, reason } };
  // Which path is decided by the shipment's carrier (a plain read; everything is checked again under the lock).
  const carrier = await ctx.shipping.carrierOf(ctx.db, orderId, shipmentId);
  if (carrier && ctx.shipping.carrier(carrier).remote) {
    const replay = await ctx.idempotency.replayOf<OrderView>(request);
    if (replay) return replay;
    return withProviderCall(ctx.db, {
      // A bare check (above, and again here under the lock): nothing is recorded before the refund.
      record: (tx) => checkCancellable(ctx, tx, orderId, shipmentId, actor),
      join: ({ shipment }) => `label-refund:${shipment.id}`,
      call: ({ shipment }) => ctx.shipping.refundLabel(shipment),
      finish: async (tx) => {
        try {
          return await cancelUnderLock(ctx, tx, request, orderId, shipmentId, reason, actor);
        } catch (err) {
          ctx.logger.warn({ orderId, shipmentId, err }, 'a label refund was asked for a shipment that stopped being cancellable during the call');
          throw err;
        }
      },
    });
  }
  return ctx.idempotency.run(request, async (tx) => {
    const { status, body } = await cancelUnderLock(ctx, tx, null, orderId, shipmentId, reason, actor);
    return { status, body };
  });
}

async function checkCancellable(ctx: OrderContext, tx: Tx, orderId: string, shipmentId: string, actor: Actor): Promise<{ shipment: CancellableShipment }> {
  const order = await lockVisible(tx, orderId, actor);
  const shipment = await ctx.shipping.cancellable(tx, orderId, shipmentId);
  if (!WITH_SHIPMENTS.has(order.status)) throw illegalTransition(order.status, 'has no shipment to cancel');
  await checkNotHeldByReturns(tx, orderId, shipment);
  return { shipment };
}

/**
 * A shipment whose units returns hold (received back, or asked for by a requested/approved return)
 * stays: cancelling it would leave a line's shipped count below its returned + held units (409
 * `shipment-has-returns`, naming the first such line; the caller holds the order's lock).
 */
async function checkNotHeldByReturns(tx: Tx, orderId: string, shipment: CancellableShipment): Promise<void> {
  const items = new Map((await orders.items(tx, orderId)).map((i) => [i.productId, i]));
  for (const line of shipment.lines) {
    const item = items.get(line.productId);
    if (!item) continue;
    const held = item.returnedQuantity + item.returnHeldQuantity;
    if (item.shippedQuantity - line.quantity < held) {
      throw new ConflictError(
        'shipment-has-returns',
        `Returns hold ${held} of the ${item.shippedQuantity} shipped unit(s) of product ${line.productId}: cancelling this shipment of ${line.quantity} would leave fewer shipped than returned. Reject or cancel the open returns first. Nothing was changed.`,
        { productId: line.productId, shippedQuantity: item.shippedQuantity, heldByReturnsQuantity: held },
      );
    }
  }
}

/**
 * The cancellation itself, under the order's row lock: checked again, the shipment cancelled, its
 * units back to ship, the status derived. `request`: the key to store the answer under (the remote
 * path; `run` stores it on the local one).
 */
async function cancelUnderLock(
  ctx: OrderContext,
  tx: Tx,
  request: IdempotentRequest | null,
  orderId: string,
  shipmentId: string,
  reason: string | null,
  actor: Actor,
): Promise<StoredResult<OrderView>> {
  const order: OrderRecord = await lockVisible(tx, orderId, actor);
  const shipment = await ctx.shipping.cancellable(tx, orderId, shipmentId);
  if (!WITH_SHIPMENTS.has(order.status)) throw illegalTransition(order.status, 'has no shipment to cancel');
  await checkNotHeldByReturns(tx, orderId, shipment);
  await ctx.shipping.cancel(tx, shipment, order.customerId);
  await orders.addUnits(tx, orderId, 'shipped', shipment.lines, -1);
  await ctx.inventory.reverseSale(tx, orderId, shipment.lines, actor, `shipment ${shipment.id} cancelled`);
  await settleFulfilment(ctx, tx, order, actor, reason ?? 'shipment cancelled', { shipmentId: shipment.id });
  const view = await getOrder(ctx, orderId, actor, tx);
  return request ? ctx.idempotency.store(tx, request, 200, view) : { status: 200, body: view, replayed: false };
}
