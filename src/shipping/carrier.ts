import type { Schemas } from '../platform/http/contract';

export type CarrierName = 'manual' | 'easypost';

export interface ShipmentRequest {
  orderId: string;
  orderNumber: string;
  to: Schemas['Address'];
  /** What staff asked for, exactly as the contract describes it. */
  request: Schemas['CreateShipmentRequest'];
}

export interface CreatedShipment {
  carrierName: string;
  trackingCode: string;
  trackingUrl: string | null;
  labelUrl: string | null;
  providerShipmentId: string | null;
  service: string | null;
  rateCents: number | null;
  rateCurrency: string | null;
}

export type TrackingStatus = Schemas['ShipmentStatus'];

/** A verified carrier event, mapped to what it means for us. */
export type TrackingEvent = { carrier: CarrierName; eventId: string; type: string; payload: unknown } & (
  | {
      kind: 'tracker';
      providerShipmentId: string | null;
      trackingCode: string | null;
      /** The carrier's own word, recorded as is (e.g. out_for_delivery). */
      carrierStatus: string;
      /** What it means for the shipment, when it changes our status. */
      status: TrackingStatus | null;
    }
  | { kind: 'other' }
);

/** The seam between orders and a carrier. */
export interface Carrier {
  readonly name: CarrierName;
  /** Calls a remote service: never inside a transaction (check, buy, then record; see ShippingService). */
  readonly remote: boolean;
  /** Creates the shipment and buys its label. */
  createShipment(input: ShipmentRequest): Promise<CreatedShipment>;
  /**
   * Cancels a shipment the carrier does not have yet: a bought label is refunded (remote carriers,
   * outside any transaction); a carrier with nothing bought has nothing to do.
   */
  cancelShipment(providerShipmentId: string | null): Promise<void>;
  /** Verifies the signature on the raw body and parses the event; a bad signature is a 400 AppError. */
  parseWebhook(rawBody: Buffer, headers: Record<string, string | undefined>): TrackingEvent;
}
