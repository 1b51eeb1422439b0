import type { Actor, RequestBody } from '../platform/http/contract';
import type { StoredResult } from '../platform/idempotency';
import type { ShipmentView } from '../shipping';
import { assertTransition } from './order-state-machine';
import { lockVisible, transition } from './order-transition';
import { orderRef, type OrderContext } from './order-context';

/**
 * Ships an order in preparation with a carrier: `manual` (carrier and tracking code typed by staff)
 * or `easypost` (shipment created and label bought). Locked like a payment.
 */
export async function shipOrder(
  ctx: OrderContext,
  orderId: string,
  input: RequestBody<'createShipment'>,
  actor: Actor,
  idempotencyKey: string | undefined,
): Promise<StoredResult<ShipmentView>> {
  const carrier = ctx.shipping.carrier(input.carrier);
  return ctx.idempotency.run({ userId: actor.id, scope: 'createShipment', key: idempotencyKey, fingerprint: { orderId, ...input } }, async (tx) => {
    const order = await lockVisible(tx, orderId, actor);
    assertTransition(order.status, 'shipped');
    const shipment = await ctx.shipping.create(tx, orderRef(order), carrier, input);
    await transition(ctx, tx, order, 'shipped', actor, `shipped with ${shipment.carrierName} ${shipment.trackingCode}`);
    return { status: 201, body: shipment };
  });
}
