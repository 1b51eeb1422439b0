import type { DbTarget, Tx } from '../platform/db/db';
import { ConflictError, NotFoundError } from '../platform/errors';
import { recordEvent } from '../platform/events';
import type { Schemas } from '../platform/http/contract';
import type { ProviderRegistry } from '../platform/upstream';
import type { Carrier, CarrierName, CreatedShipment, TrackingEvent } from './carrier';
import { shipmentRepository as shipments, type ShipmentLineRecord, type ShipmentWithLines } from './shipment.repository';

export type ShipmentView = Schemas['Shipment'];
export type { ShipmentLineRecord };

/** What shipping needs to know of the order it ships (the caller holds its row lock). */
export interface ShippableOrder {
  id: string;
  number: string;
  customerId: string;
  status: Schemas['OrderStatus'];
  shippingAddress: Schemas['Address'];
}

/** A shipment as orders need it to cancel it: its carrier, its carrier's id and what it holds. */
export interface CancellableShipment {
  id: string;
  carrier: CarrierName;
  providerShipmentId: string | null;
  lines: ShipmentLineRecord[];
}

/**
 * Tracking statuses that say the carrier has not taken the parcel yet (EasyPost's words; a manual
 * shipment has none): only then may staff cancel a shipment.
 */
const NOT_YET_WITH_THE_CARRIER = new Set(['pre_transit', 'unknown']);

export function toShipmentView(s: ShipmentWithLines): ShipmentView {
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
    lines: s.lines.map((l) => ({ productId: l.productId, quantity: l.quantity })),
    createdAt: new Date(s.createdAt).toISOString(),
  };
}

/**
 * Shipments and their rules: creating one with a carrier (label purchase included) with the lines it
 * holds, cancelling one the carrier does not have yet, and applying the carrier's tracking events.
 * Orders call these inside the transaction holding the order's lock, except `buyLabel` and
 * `refundLabel`, which call a remote carrier outside any transaction (the provider protocol,
 * `withProviderCall`, in orders' `ship-order.ts` and `cancel-shipment.ts`). Orders own the counts
 * and the order's status; shipping answers what the shipments are.
 */
export class ShippingService {
  constructor(private readonly carriers: ProviderRegistry<Carrier>) {}

  carrier(name: CarrierName): Carrier {
    return this.carriers.get(name);
  }

  /** Creates the shipment with a local carrier (nothing to call) and records it in transit with its lines. */
  async create(
    tx: Tx,
    order: ShippableOrder,
    carrier: Carrier,
    request: Schemas['CreateShipmentRequest'],
    lines: readonly ShipmentLineRecord[],
  ): Promise<ShipmentView> {
    const created = await carrier.createShipment({ orderId: order.id, orderNumber: order.number, to: order.shippingAddress, request });
    return this.record(tx, order, carrier, created, lines);
  }

  /**
   * Outside any transaction: creates the shipment at a remote carrier and buys its label. The
   * caller joins a duplicate of the same request of this process to the purchase in flight
   * (`withProviderCall`'s `join`), so it finds the shipment filed rather than buying another label.
   */
  buyLabel(carrier: Carrier, order: ShippableOrder, request: Schemas['CreateShipmentRequest']): Promise<CreatedShipment> {
    return carrier.createShipment({ orderId: order.id, orderNumber: order.number, to: order.shippingAddress, request });
  }

  /** Whether the carrier's shipment was already filed (a duplicate purchase joined this one). */
  async isFiled(tx: Tx, carrier: Carrier, created: CreatedShipment): Promise<boolean> {
    return created.providerShipmentId !== null && (await shipments.findByProviderId(tx, carrier.name, created.providerShipmentId)) !== undefined;
  }

  /** Records a shipment the carrier created, in transit, with its lines (the caller holds the order's lock). */
  async record(tx: Tx, order: ShippableOrder, carrier: Carrier, created: CreatedShipment, lines: readonly ShipmentLineRecord[]): Promise<ShipmentView> {
    const row = await shipments.insert(tx, order.id, carrier.name, created, lines);
    await this.recordEvent(tx, row, order.customerId);
    return toShipmentView(row);
  }

  /**
   * The order's shipment, if staff may cancel it now (the caller holds the order's lock): in transit
   * and not yet with the carrier. 404 for a shipment of another order; 409 `shipment-not-cancellable`
   * otherwise.
   */
  async cancellable(tx: Tx, orderId: string, shipmentId: string): Promise<CancellableShipment> {
    const shipment = await shipments.findOfOrder(tx, orderId, shipmentId);
    if (!shipment) throw new NotFoundError('The shipment');
    const refuse = (why: string) =>
      new ConflictError('shipment-not-cancellable', `${why}: only a shipment the carrier does not have yet can be cancelled.`, {
        shipmentStatus: shipment.status,
        trackingStatus: shipment.trackingStatus,
      });
    if (shipment.status !== 'in_transit') throw refuse(`This shipment is ${shipment.status}`);
    if (shipment.trackingStatus !== null && !NOT_YET_WITH_THE_CARRIER.has(shipment.trackingStatus)) {
      throw refuse(`The carrier has this parcel (tracking status ${shipment.trackingStatus})`);
    }
    return { id: shipment.id, carrier: shipment.carrier, providerShipmentId: shipment.providerShipmentId, lines: shipment.lines };
  }

  /** The carrier of an order's shipment, if the order has that shipment (a plain read, no lock). */
  async carrierOf(target: DbTarget, orderId: string, shipmentId: string): Promise<CarrierName | undefined> {
    return (await shipments.findOfOrder(target, orderId, shipmentId))?.carrier;
  }

  /** Outside any transaction: refunds the shipment's label at its carrier (nothing to do for a manual one). */
  refundLabel(shipment: CancellableShipment): Promise<void> {
    return this.carriers.get(shipment.carrier).cancelShipment(shipment.providerShipmentId);
  }

  /** Marks a shipment checked by `cancellable` cancelled, with its event (the caller holds the order's lock). */
  async cancel(tx: Tx, shipment: CancellableShipment, customerId: string): Promise<void> {
    const changed = await shipments.setStatus(tx, shipment.id, 'cancelled');
    await this.recordEvent(tx, { ...changed, lines: shipment.lines }, customerId);
  }

  /** The order's shipments that count (not cancelled) and how many are delivered, for the order's status. */
  tally(tx: Tx, orderId: string): Promise<{ counting: number; delivered: number }> {
    return shipments.tally(tx, orderId);
  }

  /** The order a carrier's tracking event is about, if we know the shipment. */
  async orderOf(tx: Tx, event: Extract<TrackingEvent, { kind: 'tracker' }>): Promise<{ shipmentId: string; orderId: string } | undefined> {
    const found = await shipments.findLatest(tx, event.carrier, event.providerShipmentId, event.trackingCode);
    return found && { shipmentId: found.id, orderId: found.orderId };
  }

  /**
   * Records a verified tracking event on the shipment (the caller holds the order's lock). "Delivered"
   * delivers a shipment in transit, then lets orders derive the order's status from its counts
   * (`settleOrder` answers whether the order became delivered); a return or failure is announced to
   * staff only, and a parcel sent back is handed to `parcelReturned` (orders make it a return). A cancelled shipment only records the carrier's word.
   */
  async applyTracking(
    tx: Tx,
    shipmentId: string,
    order: ShippableOrder,
    event: Extract<TrackingEvent, { kind: 'tracker' }>,
    settleOrder: () => Promise<boolean>,
    parcelReturned: (shipment: ShipmentWithLines) => Promise<void> = async () => undefined,
  ): Promise<string> {
    const shipment = await shipments.setTrackingStatus(tx, shipmentId, event.carrierStatus);
    if (!shipment) return 'unknown-shipment';
    if (event.status === 'delivered' && shipment.status === 'in_transit') {
      const [delivered] = await shipments.withLines(tx, [await shipments.setStatus(tx, shipment.id, 'delivered')]);
      await this.recordEvent(tx, delivered as ShipmentWithLines, order.customerId);
      return (await settleOrder()) ? 'order-delivered' : 'shipment-delivered';
    }
    if ((event.status === 'return_to_sender' || event.status === 'failure') && shipment.status !== event.status && shipment.status !== 'cancelled') {
      const [changed] = await shipments.withLines(tx, [await shipments.setStatus(tx, shipment.id, event.status)]);
      // For staff only: someone has to call the carrier or the customer.
      await this.recordEvent(tx, changed as ShipmentWithLines, null);
      // Once: the status just changed (a redelivered event finds it returned already and lands below).
      if (event.status === 'return_to_sender') await parcelReturned(changed as ShipmentWithLines);
      return `shipment-${event.status}`;
    }
    return 'tracking-recorded';
  }

  /** The order was delivered: its shipments in transit are too. */
  async markDelivered(tx: Tx, orderId: string): Promise<void> {
    await shipments.deliverInTransit(tx, orderId);
  }

  /** customerId null: for staff only. */
  private async recordEvent(tx: Tx, s: ShipmentWithLines, customerId: string | null): Promise<void> {
    await recordEvent(tx, {
      type: 'shipment.updated',
      customerId,
      data: {
        shipmentId: s.id,
        orderId: s.orderId,
        carrier: s.carrier,
        status: s.status,
        trackingCode: s.trackingCode,
        lines: s.lines.map((l) => ({ productId: l.productId, quantity: l.quantity })),
      },
    });
  }
}
