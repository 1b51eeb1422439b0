import { storableUrlOrNull } from '../platform/http/stored-url';
import EasyPostClient from '@easypost/api';
import type { WarehouseAddress } from '../platform/config';
import { AppError, UpstreamError } from '../platform/errors';
import { ProviderError, type ProviderCaller } from '../platform/upstream';
import type { Carrier, CreatedShipment, ShipmentRequest, TrackingEvent, TrackingStatus } from './carrier';

export interface EasyPostSettings {
  apiKey: string;
  webhookSecret: string;
  apiUrl: string | null;
  timeoutMs: number;
  maxResponseBytes: number;
  warehouse: WarehouseAddress;
}

interface EasyPostRate {
  id: string;
  carrier: string;
  service: string;
  rate: string;
  currency: string;
}

interface EasyPostShipment {
  id: string;
  rates?: EasyPostRate[];
  tracking_code?: string | null;
  postage_label?: { label_url?: string | null } | null;
  tracker?: { public_url?: string | null } | null;
  selected_rate?: EasyPostRate | null;
  refund_status?: string | null;
}

/** A label refund EasyPost took on (`submitted`: the carrier will refund it; `refunded`: done). */
const REFUND_ACCEPTED = new Set(['submitted', 'refunded']);

const GRAMS_PER_OUNCE = 28.349523125;
const CM_PER_INCH = 2.54;
const round1 = (n: number): number => Math.max(0.1, Math.round(n * 10) / 10);

/** EasyPost statuses that change ours; the rest (pre_transit, out_for_delivery…) are only recorded. */
const STATUS_MAP: Record<string, TrackingStatus> = { delivered: 'delivered', return_to_sender: 'return_to_sender', failure: 'failure' };

/** Maps whatever the SDK (superagent underneath) throws to our failure kinds. */
export function classifyEasyPostError(err: unknown): ProviderError {
  if (err instanceof ProviderError) return err;
  const e = err as { statusCode?: number; status?: number; message?: string; timeout?: number; code?: string; response?: unknown };
  const message = e?.message ?? 'unknown error';
  const status = e?.statusCode ?? e?.status;
  if (typeof status === 'number') {
    if (status === 429) return new ProviderError('easypost', 'rate-limited', message, status, err);
    if (status >= 500) return new ProviderError('easypost', 'server', message, status, err);
    if (status >= 400) return new ProviderError('easypost', 'rejected', message, status, err);
    return new ProviderError('easypost', 'bad-response', message, status, err);
  }
  if (e?.timeout !== undefined || e?.code === 'ECONNABORTED' || e?.code === 'ETIMEDOUT')
    return new ProviderError('easypost', 'timeout', message, undefined, err);
  if (typeof e?.code === 'string' && /^E[A-Z]+$/.test(e.code)) return new ProviderError('easypost', 'network', message, undefined, err);
  return new ProviderError('easypost', 'bad-response', message, undefined, err);
}

/** EasyPost shipments, labels and tracker webhooks, through the official SDK. */
export class EasyPostCarrier implements Carrier {
  readonly name = 'easypost' as const;
  readonly remote = true;
  private readonly client: InstanceType<typeof EasyPostClient>;

  constructor(
    private readonly settings: EasyPostSettings,
    private readonly caller: ProviderCaller,
  ) {
    this.client = new EasyPostClient(settings.apiKey, {
      ...(settings.apiUrl ? { baseUrl: settings.apiUrl.endsWith('/') ? settings.apiUrl : `${settings.apiUrl}/` } : {}),
      // The SDK keeps its timeout option but never applies it; superagent also follows redirects and
      // buffers up to 200 MB by default. None of that for us.
      requestMiddleware: (request: { timeout(ms: number): unknown; redirects(n: number): unknown; maxResponseSize(n: number): unknown }) => {
        request.timeout(settings.timeoutMs);
        request.redirects(0);
        request.maxResponseSize(settings.maxResponseBytes);
        return request;
      },
    });
  }

  async createShipment({ orderNumber, to, request }: ShipmentRequest): Promise<CreatedShipment> {
    if (request.carrier !== 'easypost') throw new AppError('carrier-mismatch', 422, 'This request is not for the easypost carrier.');
    const w = this.settings.warehouse;
    const { parcel } = request;
    const params = {
      reference: orderNumber,
      from_address: {
        company: w.company,
        street1: w.line1,
        street2: w.line2,
        city: w.city,
        state: w.province,
        zip: w.postalCode,
        country: w.country,
        phone: w.phone,
        email: w.email,
      },
      to_address: {
        name: to.name,
        street1: to.line1,
        street2: to.line2 ?? null,
        city: to.city,
        state: to.province ?? null,
        zip: to.postalCode,
        country: to.country,
      },
      parcel: {
        weight: round1(parcel.weightGrams / GRAMS_PER_OUNCE),
        ...(parcel.lengthCm !== undefined ? { length: round1(parcel.lengthCm / CM_PER_INCH) } : {}),
        ...(parcel.widthCm !== undefined ? { width: round1(parcel.widthCm / CM_PER_INCH) } : {}),
        ...(parcel.heightCm !== undefined ? { height: round1(parcel.heightCm / CM_PER_INCH) } : {}),
      },
    };
    // Creating a shipment only rates it (nothing is bought), so it may be retried.
    const created = (await this.caller.call({ operation: 'create the shipment', safe: true }, () =>
      this.client.Shipment.create(params).catch((err: unknown) => Promise.reject(classifyEasyPostError(err))),
    )) as unknown as EasyPostShipment;
    if (!created || typeof created.id !== 'string' || !Array.isArray(created.rates)) {
      throw new ProviderError('easypost', 'bad-response', 'shipment without id or rates');
    }
    const rate = this.chooseRate(created.rates, request.service);
    // Buying is not idempotent at EasyPost: one attempt, never retried.
    const bought = (await this.caller.call({ operation: 'buy the label', safe: false }, () =>
      this.client.Shipment.buy(created.id, rate.id).catch((err: unknown) => Promise.reject(classifyEasyPostError(err))),
    )) as unknown as EasyPostShipment;
    if (!bought || typeof bought.tracking_code !== 'string' || !bought.tracking_code) {
      throw new ProviderError('easypost', 'bad-response', 'bought shipment without a tracking code');
    }
    const selected = bought.selected_rate ?? rate;
    return {
      carrierName: selected.carrier,
      trackingCode: bought.tracking_code,
      trackingUrl: storableUrlOrNull(bought.tracker?.public_url),
      labelUrl: storableUrlOrNull(bought.postage_label?.label_url),
      providerShipmentId: created.id,
      service: selected.service,
      rateCents: Math.round(Number(selected.rate) * 100),
      rateCurrency: selected.currency,
    };
  }

  /**
   * Asks EasyPost to refund the label (its carrier refunds only labels never scanned). Not repeated
   * on failure: a refund asked twice is refused, so a refusal is checked against the shipment as it
   * stands (a refund already `submitted` or `refunded` by an earlier attempt is what we wanted).
   */
  async cancelShipment(providerShipmentId: string | null): Promise<void> {
    if (!providerShipmentId) throw new UpstreamError('provider-rejected', 502, 'This EasyPost shipment has no EasyPost id to refund its label with.');
    const refundStatus = (s: EasyPostShipment | null | undefined) => s?.refund_status ?? null;
    let refunded: EasyPostShipment;
    try {
      refunded = (await this.caller.call({ operation: 'refund the label', safe: false }, () =>
        this.client.Shipment.refund(providerShipmentId).catch((err: unknown) => Promise.reject(classifyEasyPostError(err))),
      )) as unknown as EasyPostShipment;
    } catch (err) {
      if (!(err instanceof AppError) || err.code !== 'provider-rejected') throw err;
      const current = (await this.caller.call({ operation: 'read the shipment', safe: true }, () =>
        this.client.Shipment.retrieve(providerShipmentId).catch((e: unknown) => Promise.reject(classifyEasyPostError(e))),
      )) as unknown as EasyPostShipment;
      if (REFUND_ACCEPTED.has(refundStatus(current) ?? '')) return;
      throw err;
    }
    if (!REFUND_ACCEPTED.has(refundStatus(refunded) ?? '')) {
      throw new UpstreamError('provider-rejected', 502, `EasyPost did not accept the label refund (refund_status ${refundStatus(refunded) ?? 'none'}).`);
    }
  }

  private chooseRate(rates: EasyPostRate[], service: string | undefined): EasyPostRate {
    const valid = rates.filter((r) => typeof r?.id === 'string' && Number.isFinite(Number(r.rate)));
    const candidates = service === undefined ? valid : valid.filter((r) => r.service === service);
    if (candidates.length === 0) {
      throw new AppError(
        service === undefined ? 'no-rates' : 'service-not-available',
        422,
        service === undefined ? 'EasyPost offers no rate for this parcel and address.' : `EasyPost offers no "${service}" rate for this parcel and address.`,
        { extra: { availableServices: [...new Set(valid.map((r) => r.service))] } },
      );
    }
    return candidates.reduce((best, r) => (Number(r.rate) < Number(best.rate) ? r : best));
  }

  parseWebhook(rawBody: Buffer, headers: Record<string, string | undefined>): TrackingEvent {
    if (!headers['x-hmac-signature']) throw new AppError('invalid-signature', 400, 'The X-Hmac-Signature header is missing.');
    let event: { id?: unknown; description?: unknown; result?: Record<string, unknown> };
    try {
      event = this.client.Utils.validateWebhook(rawBody, { 'x-hmac-signature': headers['x-hmac-signature'] }, this.settings.webhookSecret) as typeof event;
    } catch (err) {
      throw new AppError('invalid-signature', 400, 'The X-Hmac-Signature does not match this body.', { cause: err });
    }
    if (typeof event?.id !== 'string' || typeof event.description !== 'string') {
      throw new AppError('invalid-event', 400, 'The event has no id or description.');
    }
    const base = { carrier: 'easypost' as const, eventId: event.id, type: event.description, payload: event };
    const result = event.result ?? {};
    if (event.description !== 'tracker.updated' || result['object'] !== 'Tracker' || typeof result['status'] !== 'string') return { ...base, kind: 'other' };
    const str = (v: unknown): string | null => (typeof v === 'string' && v ? v : null);
    return {
      ...base,
      kind: 'tracker',
      providerShipmentId: str(result['shipment_id']),
      trackingCode: str(result['tracking_code']),
      carrierStatus: result['status'],
      status: STATUS_MAP[result['status']] ?? null,
    };
  }
}
