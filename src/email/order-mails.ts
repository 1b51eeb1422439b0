import type { QuickStockEvent } from '../platform/events';
import {
  orderCancelledMail,
  orderConfirmedMail,
  orderDeliveredMail,
  orderShippedMail,
  refundMadeMail,
  returnAuthorizedMail,
  type OrderView,
  type RenderedMail,
  type ReturnDesk,
} from './templates';
import type { EmailTemplate } from './email.models';

/** The mail an outbox event calls for: its template, its order, and how to render it from the order as it stands. */
export interface OrderMail {
  template: Extract<EmailTemplate, 'order_confirmed' | 'order_shipped' | 'order_delivered' | 'order_cancelled' | 'refund_made' | 'return_authorized'>;
  orderId: string;
  render(order: OrderView): RenderedMail;
}

/**
 * Which events a customer hears of by mail (issue 26): the order paid (confirmed), shipped,
 * delivered, cancelled, and each refund that went back (issue 28: `refund.updated` `succeeded`, one
 * mail per refund — a cancel's refund, the rest cancelled, a refund staff asked for; a refund made in
 * the provider's dashboard has no refund row and sends none). Every other event sends nothing.
 *
 * Shipped (issue 27): one mail per parcel — each shipment recorded writes one `order.status_changed`
 * to `partially_shipped` or `shipped` naming it (`shipmentId`; also `partially_shipped →
 * partially_shipped` for a further parcel). A change to those statuses made by anything else sends
 * no shipped mail: a cancelled shipment (`shipped → partially_shipped`) or the rest cancelled
 * (`shipmentId` null; the customer hears of it through the refund).
 *
 * Returns (issue 28): a return approved ("Reso autorizzato": what to send, where, by when), except one
 * the carrier made for a parcel sent back (`origin: carrier`): the customer has nothing to send.
 */
export function orderMailOf(event: QuickStockEvent, desk: ReturnDesk): OrderMail | null {
  if (event.type === 'order.status_changed') {
    const data = event.data;
    const of = (template: OrderMail['template'], render: (e: typeof data, o: OrderView) => RenderedMail): OrderMail => ({
      template,
      orderId: data.orderId,
      render: (order) => render(data, order),
    });
    switch (data.to) {
      case 'paid':
        return of('order_confirmed', orderConfirmedMail);
      case 'partially_shipped':
      case 'shipped':
        return announcesParcel(data) ? of('order_shipped', orderShippedMail) : null;
      case 'delivered':
        return of('order_delivered', orderDeliveredMail);
      case 'cancelled':
        return of('order_cancelled', orderCancelledMail);
      default:
        return null;
    }
  }
  if (event.type === 'refund.updated' && event.data.status === 'succeeded') {
    const data = event.data;
    return { template: 'refund_made', orderId: data.orderId, render: (order) => refundMadeMail(data, order) };
  }
  if (event.type === 'return.updated' && event.data.status === 'approved' && event.data.origin !== 'carrier') {
    const data = event.data;
    return { template: 'return_authorized', orderId: data.orderId, render: (order) => returnAuthorizedMail(data, order, desk) };
  }
  return null;
}

/** A shipment just recorded: it names the shipment and moves the order forward (never back from `shipped`). */
function announcesParcel(data: { from: string; shipmentId: string | null }): boolean {
  return data.shipmentId !== null && (data.from === 'in_preparation' || data.from === 'partially_shipped');
}
