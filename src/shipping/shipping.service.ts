import type { DbTarget, Tx } from '../platform/db/db';
import { recordEvent } from '../platform/events';
import type { Schemas } from '../platform/http/contract';
import type { ProviderRegistry } from '../platform/upstream';
import type { Carrier, CarrierName, CreatedShipment, TrackingEvent } from './carrier';
import { shipmentRepository as shipments, type ShipmentRecord } from './shipment.repository';

export type ShipmentView = Schemas['Shipment'];

/** What shipping needs to know of the order it ships (the caller holds its row lock). */
export interface ShippableOrder {
  id: string;
  number: string;
  customerId: string;
  status: Schemas['OrderStatus'];
  shippingAddress: Schemas['Address'];
}

export function toShipmentView(s: ShipmentRecord): ShipmentView {
  return {
    id: s.id,
    orderId: s.orderId,
    carrier: s.carrier,
    carrierName: s.carrierName,
    trackingCode: s.trackingCode,
    trackingUrl: s.trackingUrl,
    labelUrl: s.labelUrl,
    status: s.status,
    service: s.service,
    rateCents: s.rateCents === null ? null : Number(s.rateCents),
    rateCurrency: s.rateCurrency,
    trackingStatus: s.trackingStatus,
    createdAt: new Date(s.createdAt).toISOString(),
  };
}

/**
 * Shipments and their rules: creating one with a carrier (label purchase included) and applying
 * the carrier's tracking events. Orders call these inside the transaction holding the order's lock,
 * except `buyLabel`, which calls a remote carrier outside any transaction (the provider protocol,
 * `withProviderCall`, in orders' `ship-order.ts`; then `record` files it).
 */
export class ShippingService {
  constructor(private readonly carriers: ProviderRegistry<Carrier>) {}

  carrier(name: CarrierName): Carrier {
    return this.carriers.get(name);
  }

  async listForOrder(target: DbTarget, orderId: string): Promise<ShipmentView[]> {
    return (await shipments.listForOrder(target, orderId)).map(toShipmentView);
  }

  /** Creates the shipment with a local carrier (nothing to call) and records it in transit. */
  async create(tx: Tx, order: ShippableOrder, carrier: Carrier, request: Schemas['CreateShipmentRequest']): Promise<ShipmentView> {
    return this.record(tx, order, carrier, await carrier.createShipment({ orderId: order.id, orderNumber: order.number, to: order.shippingAddress, request }));
  }

  /**
   * Outside any transaction: creates the shipment at a remote carrier and buys its label. The
   * caller joins a second request of this process for the same order to the purchase in flight
   * (`withProviderCall`'s `join`), so it finds the order shipped rather than buying another label.
   */
  buyLabel(carrier: Carrier, order: ShippableOrder, request: Schemas['CreateShipmentRequest']): Promise<CreatedShipment> {
    return carrier.createShipment({ orderId: order.id, orderNumber: order.number, to: order.shippingAddress, request });
  }

  /** Records a shipment the carrier created, in transit (the caller holds the order's lock). */
  async record(tx: Tx, order: ShippableOrder, carrier: Carrier, created: CreatedShipment): Promise<ShipmentView> {
    const row = await shipments.insert(tx, order.id, carrier.name, created);
    await this.recordEvent(tx, row, order.customerId);
    return toShipmentView(row);
  }

  /** The order a carrier's tracking event is about, if we know the shipment. */
  async orderOf(tx: Tx, event: Extract<TrackingEvent, { kind: 'tracker' }>): Promise<{ shipmentId: string; orderId: string } | undefined> {
    const found = await shipments.findLatest(tx, event.carrier, event.providerShipmentId, event.trackingCode);
    return found && { shipmentId: found.id, orderId: found.orderId };
  }

  /**
   * Records a verified tracking event on the shipment. "Delivered" delivers a shipped order (through
   * `deliverOrder`, which orders own); a return or failure is announced to staff only.
   */
  async applyTracking(
    tx: Tx,
    shipmentId: string,
    order: ShippableOrder,
    event: Extract<TrackingEvent, { kind: 'tracker' }>,
    deliverOrder: () => Promise<void>,
  ): Promise<string> {
    const shipment = await shipments.setTrackingStatus(tx, shipmentId, event.carrierStatus);
    if (!shipment) return 'unknown-shipment';
    if (event.status === 'delivered') {
      if (order.status !== 'shipped') return 'tracking-recorded';
      await deliverOrder();
      await this.recordEvent(tx, { ...shipment, status: 'delivered' }, order.customerId);
      return 'order-delivered';
    }
    if ((event.status === 'return_to_sender' || event.status === 'failure') && shipment.status !== event.status) {
      const changed = await shipments.setStatus(tx, shipment.id, event.status);
      // For staff only: someone has to call the carrier or the customer.
      await this.recordEvent(tx, changed, null);
      return `shipment-${event.status}`;
    }
    return 'tracking-recorded';
  }

  /** The order was delivered: its shipments in transit are too. */
  async markDelivered(tx: Tx, orderId: string): Promise<void> {
    await shipments.deliverInTransit(tx, orderId);
  }

  /** customerId null: for staff only. */
  private async recordEvent(tx: Tx, s: ShipmentRecord, customerId: string | null): Promise<void> {
    await recordEvent(tx, {
      type: 'shipment.updated',
      customerId,
      data: { shipmentId: s.id, orderId: s.orderId, carrier: s.carrier, status: s.status, trackingCode: s.trackingCode },
    });
  }
}
