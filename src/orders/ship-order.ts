import type { Actor, RequestBody } from '../platform/http/contract';
import type { IdempotentRequest, StoredResult } from '../platform/idempotency';
import type { CreatedShipment, ShipmentView } from '../shipping';
import { withProviderCall } from '../platform/upstream';
import { assertTransition, canTransition, type OrderStatus } from './order-state-machine';
import { lockVisible, transition } from './order-transition';
import type { OrderContext } from './order-context';

/**
 * Ships an order in preparation with a carrier: `manual` (carrier and tracking code typed by staff,
 * recorded in one transaction) or `easypost` (shipment created and label bought). A remote carrier
 * follows the provider protocol (`withProviderCall`), never called with a connection or a lock
 * held: a short transaction checks the order, the label is bought outside any transaction (a
 * duplicate request of this process joins the purchase in flight for the order), then a short
 * transaction locks the order again, re-checks it, records the shipment and ships the order. When
 * the order stopped being shippable meanwhile (a cancel won), the answer is 409 and the bought label
 * is logged for staff to refund at the carrier.
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
      const shipment = await ctx.shipping.create(tx, order, carrier, input);
      await transition(ctx, tx, order, 'shipped', actor, reason(shipment));
      return { status: 201, body: shipment };
    });
  }
  const replay = await ctx.idempotency.replayOf<ShipmentView>(request);
  if (replay) return replay;
  const outcome = await withProviderCall(ctx.db, {
    // A bare check: nothing is recorded before the purchase (a crash during it leaves the label only at the carrier).
    record: async (tx) => {
      const order = await lockVisible(tx, orderId, actor);
      assertTransition(order.status, 'shipped');
      return order;
    },
    join: (order) => `label:${order.id}`,
    call: (order) => ctx.shipping.buyLabel(carrier, order, input),
    finish: async (tx, _order, created): Promise<ShipOutcome> => {
      const locked = await lockVisible(tx, orderId, actor);
      if (!canTransition(locked.status, 'shipped')) return { kind: 'refused', refused: locked.status, created };
      const shipment = await ctx.shipping.record(tx, locked, carrier, created);
      await transition(ctx, tx, locked, 'shipped', actor, reason(shipment));
      return { kind: 'stored', stored: await ctx.idempotency.store(tx, request, 201, shipment) };
    },
  });
  if (outcome.kind === 'stored') return outcome.stored;
  const { created } = outcome;
  // A duplicate of this very request (same key) that shipped the order meanwhile is replayed.
  const shippedByDuplicate = await ctx.idempotency.replayOf<ShipmentView>(request);
  if (shippedByDuplicate) return shippedByDuplicate;
  const recorded = (await ctx.shipping.listForOrder(ctx.db, orderId)).some((s) => s.trackingCode === created.trackingCode);
  if (!recorded) {
    ctx.logger.warn(
      { orderId, carrier: carrier.name, providerShipmentId: created.providerShipmentId, trackingCode: created.trackingCode, orderStatus: outcome.refused },
      'a label was bought for an order that stopped being shippable during the purchase: refund it at the carrier',
    );
  }
  assertTransition(outcome.refused, 'shipped');
  throw new Error(`order ${orderId}: ${outcome.refused} passed the guard it failed`); // unreachable: the guard threw
}

/** How the purchase ended: the shipment stored with the answer, or the order no longer shippable (the label bought anyway). */
type ShipOutcome = { kind: 'stored'; stored: StoredResult<ShipmentView> } | { kind: 'refused'; refused: OrderStatus; created: CreatedShipment };
