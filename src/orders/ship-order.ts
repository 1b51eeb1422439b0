import type { Actor, RequestBody } from '../platform/http/contract';
import type { IdempotentRequest, StoredResult } from '../platform/idempotency';
import type { ShipmentView } from '../shipping';
import { assertTransition, canTransition } from './order-state-machine';
import { lockVisible, transition } from './order-transition';
import { orderRef, type OrderContext } from './order-context';

/**
 * Ships an order in preparation with a carrier: `manual` (carrier and tracking code typed by staff,
 * recorded in one transaction) or `easypost` (shipment created and label bought). A remote carrier
 * is never called with a connection or a lock held: a short transaction checks the order, the label
 * is bought outside any transaction, then a short transaction locks the order again, re-checks it,
 * records the shipment and ships the order. When the order stopped being shippable meanwhile (a
 * cancel won), the answer is 409 and the bought label is logged for staff to refund at the carrier.
 */
export async function shipOrder(
  ctx: OrderContext,
  orderId: string,
  input: RequestBody<'createShipment'>,
  actor: Actor,
  idempotencyKey: string | undefined,
): Promise<StoredResult<ShipmentView>> {
  const carrier = ctx.shipping.carrier(input.carrier);
  const request: IdempotentRequest = { userId: actor.id, scope: 'createShipment', key: idempotencyKey, fingerprint: { orderId, ...input } };
  const reason = (s: ShipmentView) => `shipped with ${s.carrierName} ${s.trackingCode}`;
  if (!carrier.remote) {
    return ctx.idempotency.run(request, async (tx) => {
      const order = await lockVisible(tx, orderId, actor);
      assertTransition(order.status, 'shipped');
      const shipment = await ctx.shipping.create(tx, orderRef(order), carrier, input);
      await transition(ctx, tx, order, 'shipped', actor, reason(shipment));
      return { status: 201, body: shipment };
    });
  }
  const replay = await ctx.idempotency.replayOf<ShipmentView>(request);
  if (replay) return replay;
  const order = await ctx.sequelize.transaction(async (tx) => {
    const locked = await lockVisible(tx, orderId, actor);
    assertTransition(locked.status, 'shipped');
    return orderRef(locked);
  });
  const created = await ctx.shipping.buyLabel(carrier, order, input);
  const outcome = await ctx.sequelize.transaction(async (tx) => {
    const locked = await lockVisible(tx, orderId, actor);
    if (!canTransition(locked.status, 'shipped')) return { kind: 'refused' as const, refused: locked.status };
    const shipment = await ctx.shipping.record(tx, orderRef(locked), carrier, created);
    await transition(ctx, tx, locked, 'shipped', actor, reason(shipment));
    return { kind: 'stored' as const, stored: await ctx.idempotency.store(tx, request, 201, shipment) };
  });
  if (outcome.kind === 'stored') return outcome.stored;
  // A duplicate of this very request (same key) that shipped the order meanwhile is replayed.
  const shippedByDuplicate = await ctx.idempotency.replayOf<ShipmentView>(request);
  if (shippedByDuplicate) return shippedByDuplicate;
  const recorded = (await ctx.shipping.listForOrder(ctx.sequelize, orderId)).some((s) => s.trackingCode === created.trackingCode);
  if (!recorded) {
    ctx.logger.warn(
      { orderId, carrier: carrier.name, providerShipmentId: created.providerShipmentId, trackingCode: created.trackingCode, orderStatus: outcome.refused },
      'a label was bought for an order that stopped being shippable during the purchase: refund it at the carrier',
    );
  }
  assertTransition(outcome.refused, 'shipped');
  throw new Error(`order ${orderId}: ${outcome.refused} passed the guard it failed`); // unreachable: the guard threw
}
