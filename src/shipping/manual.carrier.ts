import { AppError, ValidationError } from '../platform/errors';
import { isStorableUrl } from '../platform/http/stored-url';
import type { Carrier, CreatedShipment, ShipmentRequest, TrackingEvent } from './carrier';

/** Staff hand the parcel to a carrier themselves and type in its name and tracking code. */
export class ManualCarrier implements Carrier {
  readonly name = 'manual' as const;
  readonly remote = false;

  /** `allowHttpUrls`: outside production a plain http: tracking link is accepted too. */
  constructor(private readonly allowHttpUrls = false) {}

  async createShipment({ request }: ShipmentRequest): Promise<CreatedShipment> {
    if (request.carrier !== 'manual') throw new AppError('carrier-mismatch', 422, 'This request is not for the manual carrier.');
    if (request.trackingUrl !== undefined && !isStorableUrl(request.trackingUrl, this.allowHttpUrls)) {
      const schemes = this.allowHttpUrls ? 'an https: or http:' : 'an https:';
      throw new ValidationError('The tracking URL is not a link that may be stored.', [
        { path: 'body.trackingUrl', message: `must be ${schemes} URL with a host` },
      ]);
    }
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

  async cancelShipment(): Promise<void> {
    // Nothing was bought: staff take the parcel back from the shelf.
  }

  parseWebhook(): TrackingEvent {
    throw new AppError('no-webhooks', 404, 'The manual carrier has no webhooks.');
  }
}
