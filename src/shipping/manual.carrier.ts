import { AppError } from '../platform/errors';
import type { Carrier, CreatedShipment, ShipmentRequest, TrackingEvent } from './carrier';

/** Staff hand the parcel to a carrier themselves and type in its name and tracking code. */
export class ManualCarrier implements Carrier {
  readonly name = 'manual' as const;

  async createShipment({ request }: ShipmentRequest): Promise<CreatedShipment> {
    if (request.carrier !== 'manual') throw new AppError('carrier-mismatch', 422, 'This request is not for the manual carrier.');
    return {
      carrierName: request.carrierName,
      trackingCode: request.trackingCode,
      trackingUrl: request.trackingUrl ?? null,
      labelUrl: null,
      providerShipmentId: null,
      service: null,
      rateCents: null,
      rateCurrency: null,
    };
  }

  parseWebhook(): TrackingEvent {
    throw new AppError('no-webhooks', 404, 'The manual carrier has no webhooks.');
  }
}
