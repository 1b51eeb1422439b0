import type { Tx } from '../platform/db/db';
import type { PaymentEvent, PaymentProviderName } from '../payments';
import type { TrackingEvent } from '../shipping';
import { orderRepository as orders } from './order.repository';
import { transition } from './order-transition';
import type { OrderContext } from './order-context';
import { settleFulfilment } from './settle-fulfilment';

/**
 * Applies a verified payment-provider event in the caller's transaction (where its id was just
 * stored) and answers what it did. The order is locked before the payment, as on every other path,
 * so a webhook and a cancel never deadlock.
 */
export async function applyPaymentEvent(ctx: OrderContext, tx: Tx, event: PaymentEvent): Promise<string> {
  if (event.kind === 'other') return 'ignored-type';
  const found = await ctx.payments.orderOf(tx, event.provider, event.providerPaymentId);
  if (!found) return 'unknown-payment';
  const order = await orders.lock(tx, found.orderId);
  if (!order) return 'unknown-payment';
  const { outcome, paysOrder } = await ctx.payments.applyEvent(tx, found.paymentId, order, event);
  if (paysOrder) await transition(ctx, tx, order, 'paid', null, `${event.provider} payment ${event.providerPaymentId}`);
  return outcome;
}

/**
 * Gives back a payment captured after its order stopped being payable. Called after the webhook
 * committed: the refund is recorded under the order's lock, then made after that commit (a
 * provider failure is retried in the background).
 */
export async function refundOrphanPayment(ctx: OrderContext, provider: PaymentProviderName, providerPaymentId: string): Promise<void> {
  const orderId = await ctx.db.transaction(async (tx) => {
    const found = await ctx.payments.orderOf(tx, provider, providerPaymentId);
    if (!found) return undefined;
    const order = await orders.lock(tx, found.orderId);
    if (!order) return undefined;
    await ctx.payments.refundIfOrphan(tx, order, provider, providerPaymentId);
    return order.id;
  });
  if (orderId) await ctx.payments.refundNow(orderId);
}

/**
 * Applies a verified carrier tracking event in the caller's transaction; answers what it did. A
 * delivered shipment delivers the order only when the counts say so (`settleFulfilment`): every unit
 * shipped or cancelled and every shipment that counts delivered. A parcel sent back
 * (`return_to_sender`) becomes an approved return of its units (`parcelReturned`), no refund.
 */
export async function applyTrackingEvent(ctx: OrderContext, tx: Tx, event: TrackingEvent): Promise<string> {
  if (event.kind === 'other') return 'ignored-type';
  const found = await ctx.shipping.orderOf(tx, event);
  if (!found) return 'unknown-shipment';
  const order = await orders.lock(tx, found.orderId);
  if (!order) return 'unknown-shipment';
  return ctx.shipping.applyTracking(
    tx,
    found.shipmentId,
    order,
    event,
    async () => {
      await settleFulfilment(ctx, tx, order, null, `${event.carrier} tracker: delivered`, { shipmentId: found.shipmentId });
      return order.status === 'delivered';
    },
    // A parcel sent back: an approved return of its units, once per shipment (returns, through the port).
    (shipment) => ctx.parcelReturned(tx, { orderId: order.id, shipmentId: shipment.id, trackingCode: shipment.trackingCode, lines: shipment.lines }),
  );
}
