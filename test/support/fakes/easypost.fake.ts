import nock from 'nock';
import { createHmac, randomBytes } from 'node:crypto';
import { EASYPOST_WEBHOOK_SECRET } from '../hooks';
import { playFault, type Fault } from './faults';

export const EASYPOST_URL = 'https://easypost.fake.test';

interface Rate {
  id: string;
  object: 'Rate';
  carrier: string;
  service: string;
  rate: string;
  currency: string;
  shipment_id: string;
}

export interface FakeShipment {
  id: string;
  object: 'Shipment';
  reference: string | null;
  to_address: Record<string, unknown>;
  from_address: Record<string, unknown>;
  parcel: Record<string, unknown>;
  rates: Rate[];
  tracking_code: string | null;
  selected_rate: Rate | null;
  postage_label: { label_url: string } | null;
  tracker: { public_url: string } | null;
  refund_status: string | null;
}

const id = (prefix: string) => `${prefix}_${randomBytes(8).toString('hex')}`;

/** A stateful EasyPost: shipments rated and bought over nock, requests recorded, faults queued; signs tracker events. */
export class FakeEasyPost {
  readonly shipments = new Map<string, FakeShipment>();
  readonly calls: { path: string; body: Record<string, unknown> }[] = [];
  readonly faults: Record<'create' | 'buy' | 'refund', Fault[]> = { create: [], buy: [], refund: [] };
  rateTable: { carrier: string; service: string; rate: string }[] = [
    { carrier: 'DHL', service: 'Express', rate: '24.10' },
    { carrier: 'Poste', service: 'Standard', rate: '7.90' },
    { carrier: 'UPS', service: 'Ground', rate: '9.50' },
  ];

  install(): this {
    nock(EASYPOST_URL)
      .persist()
      .post('/v2/shipments')
      .reply(async (path, body) => (await this.create(path, body as Record<string, unknown>)) as nock.ReplyFnResult)
      .post(/^\/v2\/shipments\/[^/]+\/buy$/)
      .reply(async (path, body) => (await this.buy(path, body as Record<string, unknown>)) as nock.ReplyFnResult)
      .post(/^\/v2\/shipments\/[^/]+\/refund$/)
      .reply(async (path) => (await this.refund(path)) as nock.ReplyFnResult)
      .get(/^\/v2\/shipments\/[^/?]+/)
      .reply((path) => {
        this.calls.push({ path, body: {} });
        const shipment = this.shipments.get(path.split(/[/?]/)[3] ?? '');
        return shipment ? [200, shipment] : [404, { error: { code: 'NOT_FOUND', message: 'no such shipment' } }];
      });
    return this;
  }

  /** Each spec installs a fresh fake before each test; nothing else in the suite uses nock interceptors. */
  uninstall(): void {
    nock.cleanAll();
  }

  private async create(path: string, body: Record<string, unknown>): Promise<unknown> {
    this.calls.push({ path, body });
    const fault = await playFault(this.faults.create, (status) => ({ error: { code: 'FAKE', message: `fake ${status}` } }));
    if (fault) return fault;
    const input = body['shipment'] as Record<string, Record<string, unknown>>;
    const shipmentId = id('shp');
    const shipment: FakeShipment = {
      id: shipmentId,
      object: 'Shipment',
      reference: (input['reference'] as unknown as string) ?? null,
      to_address: input['to_address'] ?? {},
      from_address: input['from_address'] ?? {},
      parcel: input['parcel'] ?? {},
      rates: this.rateTable.map((r) => ({ id: id('rate'), object: 'Rate', currency: 'EUR', shipment_id: shipmentId, ...r })),
      tracking_code: null,
      selected_rate: null,
      postage_label: null,
      tracker: null,
      refund_status: null,
    };
    this.shipments.set(shipmentId, shipment);
    return [201, shipment] as [number, FakeShipment];
  }

  private async buy(path: string, body: Record<string, unknown>): Promise<unknown> {
    this.calls.push({ path, body });
    const fault = await playFault(this.faults.buy, (status) => ({ error: { code: 'FAKE', message: `fake ${status}` } }));
    if (fault) return fault;
    const shipment = this.shipments.get(path.split('/')[3] ?? '');
    const rate = shipment?.rates.find((r) => r.id === (body['rate'] as { id?: string })?.id);
    if (!shipment || !rate) return [404, { error: { code: 'NOT_FOUND', message: 'no such shipment or rate' } }];
    if (shipment.tracking_code) return [422, { error: { code: 'SHIPMENT.POSTAGE.EXISTS', message: 'already bought' } }];
    shipment.selected_rate = rate;
    shipment.tracking_code = `EZ${randomBytes(6).toString('hex').toUpperCase()}`;
    shipment.postage_label = { label_url: `https://labels.fake.test/${shipment.id}.pdf` };
    shipment.tracker = { public_url: `https://track.fake.test/${shipment.tracking_code}` };
    return [200, shipment] as [number, FakeShipment];
  }

  /** Refunds a bought label once (`submitted`), as EasyPost does; a second request is refused (422). */
  private async refund(path: string): Promise<unknown> {
    this.calls.push({ path, body: {} });
    const fault = await playFault(this.faults.refund, (status) => ({ error: { code: 'FAKE', message: `fake ${status}` } }));
    if (fault) return fault;
    const shipment = this.shipments.get(path.split('/')[3] ?? '');
    if (!shipment) return [404, { error: { code: 'NOT_FOUND', message: 'no such shipment' } }];
    if (!shipment.tracking_code) return [422, { error: { code: 'SHIPMENT.REFUND.NOT_PURCHASED', message: 'nothing bought' } }];
    if (shipment.refund_status) return [422, { error: { code: 'SHIPMENT.REFUND.ALREADY_REQUESTED', message: 'refund already requested' } }];
    shipment.refund_status = 'submitted';
    return [200, shipment] as [number, FakeShipment];
  }

  /** The refund requests (POST …/refund) made for a shipment. */
  refundsOf(shipmentId: string): number {
    return this.calls.filter((c) => c.path === `/v2/shipments/${shipmentId}/refund`).length;
  }

  /** A tracker.updated event for a bought shipment, with EasyPost's HMAC header. */
  trackerEvent(shipment: { id: string; tracking_code: string | null }, status: string, options: { id?: string; secret?: string } = {}) {
    const event = {
      id: options.id ?? id('evt'),
      object: 'Event',
      description: 'tracker.updated',
      mode: 'test',
      result: { id: id('trk'), object: 'Tracker', status, tracking_code: shipment.tracking_code, shipment_id: shipment.id, carrier: 'Poste' },
    };
    const rawBody = JSON.stringify(event);
    return { event, rawBody, signature: this.sign(rawBody, options.secret) };
  }

  /** The SDK's scheme: HMAC-SHA256 hex of the body with the NFKD-normalized secret. */
  sign(rawBody: string, secret = EASYPOST_WEBHOOK_SECRET): string {
    return `hmac-sha256-hex=${createHmac('sha256', Buffer.from(secret.normalize('NFKD'), 'utf8'))
      .update(rawBody, 'utf8')
      .digest('hex')}`;
  }
}
