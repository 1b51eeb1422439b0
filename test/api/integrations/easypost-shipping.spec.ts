import { expect } from 'chai';
import { rawRequest, ok, asAdmin, operator, type Schemas } from '../../support/api';
import { client } from '../../support/client';
import { query } from '../../support/database';
import { FakeEasyPost } from '../../support/fakes/easypost.fake';
import { providerEnv } from '../../support/hooks';
import { withSecondService } from '../../support/services';
import { easypostWebhook, orderInPreparation } from './helpers';

const ship = async (orderId: string, body: Omit<Schemas['CreateEasyPostShipmentRequest'], 'carrier'>, token?: string) =>
  client(token ?? (await asAdmin())).POST('/api/v1/orders/{id}/shipments', {
    params: { path: { id: orderId } },
    body: { carrier: 'easypost' as const, ...body },
  });

describe('EasyPost shipping', () => {
  let easypost: FakeEasyPost;
  beforeEach(() => {
    easypost = new FakeEasyPost().install();
  });
  afterEach(() => easypost.uninstall());

  async function shipped() {
    const made = await orderInPreparation();
    const res = await ship(made.order.id, { parcel: { weightGrams: 1500, lengthCm: 30, widthCm: 20, heightCm: 10 } });
    expect(res.response.status, JSON.stringify(res.data)).to.equal(201);
    const fake = easypost.shipments.get(easypost.calls.at(-1)?.path.split('/')[3] ?? '');
    return { ...made, shipment: ok(res), fake: fake! };
  }

  it('creates the shipment from the warehouse to the order address, buys the lowest rate and ships the order', async () => {
    const { order, shipment, fake, product } = await shipped();
    expect(shipment).to.include({ carrier: 'easypost', carrierName: 'Poste', service: 'Standard', rateCents: 790, rateCurrency: 'EUR', status: 'in_transit' });
    expect(shipment.trackingCode).to.equal(fake.tracking_code);
    expect(shipment.labelUrl).to.equal(`https://labels.fake.test/${fake.id}.pdf`);
    const create = easypost.calls.find((c) => c.path === '/v2/shipments')!;
    const sent = create.body['shipment'] as Record<string, any>;
    expect(sent['from_address']).to.include({
      company: 'QuickStock Magazzino',
      street1: 'Via della Logistica 10',
      city: 'Bologna',
      zip: '40100',
      country: 'IT',
    });
    expect(sent['to_address']).to.include({ name: 'Ufficio Rossi Srl', street1: 'Via Roma 1', city: 'Milano', zip: '20121', state: 'MI', country: 'IT' });
    expect(sent['parcel']).to.deep.equal({ weight: 52.9, length: 11.8, width: 7.9, height: 3.9 });
    expect(sent['reference']).to.equal(order.number);
    const buy = easypost.calls.find((c) => c.path.endsWith('/buy'))!;
    expect(buy.body).to.deep.equal({ rate: { id: fake.rates.find((r) => r.service === 'Standard')!.id } });
    const [row] = await query('SELECT o.status, s.provider_shipment_id, s.rate_cents FROM orders o JOIN shipments s ON s.order_id = o.id WHERE o.id = $1', [
      order.id,
    ]);
    expect(row).to.deep.equal({ status: 'shipped', provider_shipment_id: fake.id, rate_cents: '790' });
    const [sale] = await query("SELECT delta FROM stock_movements WHERE product_id = $1 AND type = 'sale'", [product.id]);
    expect(sale.delta).to.equal(-2);
  });

  it('buys the requested service, and refuses one that is not offered with 422, buying nothing', async () => {
    const made = await orderInPreparation();
    const missing = await ship(made.order.id, { parcel: { weightGrams: 500 }, service: 'Teleport' });
    expect(missing.response.status).to.equal(422);
    expect(missing.error?.code).to.equal('service-not-available');
    expect(missing.error?.availableServices).to.have.members(['Express', 'Standard', 'Ground']);
    expect(easypost.calls.filter((c) => c.path.endsWith('/buy'))).to.have.length(0);
    const ok = await ship(made.order.id, { parcel: { weightGrams: 500 }, service: 'Express' });
    expect(ok.response.status).to.equal(201);
    expect(ok.data).to.include({ service: 'Express', carrierName: 'DHL', rateCents: 2410 });
  });

  it('refuses a customer (403) and a parcel without weight (400)', async () => {
    const made = await orderInPreparation();
    expect((await ship(made.order.id, { parcel: { weightGrams: 500 } }, made.buyer.token)).response.status).to.equal(403);
    // Bodies outside the contract: sent raw.
    const raw = (body: object, token: string) =>
      rawRequest('POST', `/api/v1/orders/${made.order.id}/shipments`, { token, body: { carrier: 'easypost', ...body } });
    expect((await raw({ parcel: {} }, (await operator()).token)).status).to.equal(400);
    expect((await raw({ parcel: { weightGrams: 500 }, carrierName: 'x' }, await asAdmin())).status).to.equal(400);
  });

  it('moves the order to delivered on a delivered tracker event, once', async () => {
    const { order, fake } = await shipped();
    const transit = await easypostWebhook(easypost.trackerEvent(fake, 'out_for_delivery'));
    expect(transit.data?.outcome).to.equal('tracking-recorded');
    const delivery = easypost.trackerEvent(fake, 'delivered');
    const answers = await Promise.all(Array.from({ length: 10 }, () => easypostWebhook(delivery)));
    expect(answers.map((a) => a.response.status)).to.deep.equal(Array(10).fill(200));
    expect(answers.filter((a) => a.data?.outcome === 'order-delivered' && !a.data?.duplicate)).to.have.length(1);
    const view = await client(await asAdmin()).GET('/api/v1/orders/{id}', { params: { path: { id: order.id } } });
    expect(view.data?.status).to.equal('delivered');
    expect(view.data?.shipments[0]).to.include({ status: 'delivered', trackingStatus: 'delivered' });
    const history = await query("SELECT actor_role FROM order_status_history WHERE order_id = $1 AND to_status = 'delivered'", [order.id]);
    expect(history).to.deep.equal([{ actor_role: 'system' }]);
  });

  it('records return_to_sender and raises a shipment.updated event for staff only', async () => {
    const { order, fake } = await shipped();
    const res = await easypostWebhook(easypost.trackerEvent(fake, 'return_to_sender'));
    expect(res.data?.outcome).to.equal('shipment-return_to_sender');
    const [event] = await query(
      "SELECT data, audience_user_id FROM events WHERE type = 'shipment.updated' AND data->>'orderId' = $1 AND data->>'status' = 'return_to_sender'",
      [order.id],
    );
    expect(event.audience_user_id).to.equal(null);
    expect(event.data).to.include({ carrier: 'easypost', trackingCode: fake.tracking_code });
    expect((await query('SELECT status FROM orders WHERE id = $1', [order.id]))[0].status).to.equal('shipped');
  });

  it('refuses bad HMAC signatures with 400 and changes nothing', async () => {
    const { order, fake } = await shipped();
    const good = easypost.trackerEvent(fake, 'delivered');
    const bad = [
      { rawBody: good.rawBody, signature: easypost.sign(good.rawBody, 'another-secret') },
      { rawBody: good.rawBody.replace('delivered', 'delivereD'), signature: good.signature },
      { rawBody: JSON.stringify(JSON.parse(good.rawBody), null, 1), signature: good.signature },
      { rawBody: good.rawBody, signature: 'hmac-sha256-hex=00' },
    ];
    for (const delivery of bad) expect((await easypostWebhook(delivery)).response.status).to.equal(400);
    expect((await easypostWebhook({ rawBody: good.rawBody }, undefined)).response.status).to.equal(400);
    expect((await query('SELECT status FROM orders WHERE id = $1', [order.id]))[0].status).to.equal('shipped');
    expect(await query('SELECT 1 FROM provider_events WHERE event_id = $1', [good.event.id])).to.have.length(0);
  });

  it('stores and acknowledges a tracker event for an unknown shipment', async () => {
    const delivery = easypost.trackerEvent({ id: 'shp_unknown', tracking_code: 'NOPE' }, 'delivered');
    const res = await easypostWebhook(delivery);
    expect(res.response.status).to.equal(200);
    expect(res.data?.outcome).to.equal('unknown-shipment');
    expect((await easypostWebhook(delivery)).data?.duplicate).to.equal(true);
  });

  it('answers a failed label purchase with 502 and leaves the order in preparation, retryable with the same key', async () => {
    const made = await orderInPreparation();
    easypost.faults.buy.push({ status: 500 });
    const token = await asAdmin();
    const body = { carrier: 'easypost' as const, parcel: { weightGrams: 800 } };
    const headers = { 'idempotency-key': `ship-${made.order.id}` };
    const failed = await client(token).POST('/api/v1/orders/{id}/shipments', { params: { path: { id: made.order.id } }, body, headers });
    expect(failed.response.status).to.equal(502);
    // Buying is never retried: one attempt.
    expect(easypost.calls.filter((c) => c.path.endsWith('/buy'))).to.have.length(1);
    expect((await query('SELECT status FROM orders WHERE id = $1', [made.order.id]))[0].status).to.equal('in_preparation');
    expect(await query('SELECT 1 FROM shipments WHERE order_id = $1', [made.order.id])).to.have.length(0);
    const retried = await client(token).POST('/api/v1/orders/{id}/shipments', { params: { path: { id: made.order.id } }, body, headers });
    expect(retried.response.status).to.equal(201);
  });

  it('buys the label with no lock held: a cancel during the purchase wins, and the shipment answers 409 without shipping', async function () {
    this.timeout(30_000);
    await withSecondService({ ...providerEnv, PROVIDER_TIMEOUT_MS: '5000' }, async (base) => {
      const made = await orderInPreparation();
      const token = await asAdmin();
      easypost.faults.buy.push({ delayMs: 2500 });
      let shippedAt = Number.POSITIVE_INFINITY;
      const shipping = fetch(`${base}/api/v1/orders/${made.order.id}/shipments`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ carrier: 'easypost', parcel: { weightGrams: 800 } }),
      }).then((res) => {
        shippedAt = Date.now();
        return res;
      });
      while (!easypost.calls.some((c) => c.path.endsWith('/buy'))) await new Promise((r) => setTimeout(r, 10));
      const cancelled = await client(token).POST('/api/v1/orders/{id}/cancel', {
        params: { path: { id: made.order.id } },
        body: { reason: 'customer called' },
      });
      expect(cancelled.response.status).to.equal(200);
      expect(Date.now(), 'the cancel does not wait for the carrier').to.be.below(shippedAt);
      const res = await shipping;
      expect(res.status).to.equal(409);
      expect(((await res.json()) as { code: string }).code).to.equal('illegal-transition');
      expect(await query('SELECT 1 FROM shipments WHERE order_id = $1', [made.order.id])).to.have.length(0);
      expect((await query('SELECT status FROM orders WHERE id = $1', [made.order.id]))[0].status).to.equal('cancelled');
      expect((await query('SELECT reserved FROM products WHERE id = $1', [made.product.id]))[0].reserved).to.equal(0);
    });
  });
});
