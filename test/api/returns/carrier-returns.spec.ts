import { expect } from 'chai';
import { asAdmin, ok } from '../../support/api';
import { client } from '../../support/client';
import { query } from '../../support/database';
import { FakeEasyPost } from '../../support/fakes/easypost.fake';
import { easypostWebhook, orderInPreparation } from '../integrations/helpers';
import { storedReturns } from './helpers';

/**
 * A parcel the carrier sends back (EasyPost `return_to_sender`) becomes one approved return of its
 * units, made by the carrier, with no refund and no mail: once, however often the webhook comes.
 */
describe('returns: a parcel sent back by the carrier', function () {
  this.timeout(30_000);
  let easypost: FakeEasyPost;
  beforeEach(() => {
    easypost = new FakeEasyPost().install();
  });
  afterEach(() => easypost.uninstall());

  async function shippedWithEasyPost() {
    const made = await orderInPreparation();
    const res = await client(await asAdmin()).POST('/api/v1/orders/{id}/shipments', {
      params: { path: { id: made.order.id } },
      body: { carrier: 'easypost', parcel: { weightGrams: 1500 } },
    });
    const shipment = ok(res);
    const fake = easypost.shipments.get(easypost.calls.at(-1)?.path.split('/')[3] ?? '');
    return { ...made, shipment, fake: fake! };
  }

  it('makes one approved return of the shipment’s units, without a refund, even when the webhook comes twice or as another event', async () => {
    const { order, shipment, fake, product } = await shippedWithEasyPost();
    const delivery = easypost.trackerEvent(fake, 'return_to_sender');
    const answers = await Promise.all([easypostWebhook(delivery), easypostWebhook(delivery)]);
    expect(answers.map((a) => a.response.status)).to.deep.equal([200, 200]);
    expect(answers.filter((a) => a.data?.outcome === 'shipment-return_to_sender' && !a.data?.duplicate)).to.have.length(1);
    // The carrier tells it again under a new event id: still one return.
    expect((await easypostWebhook(easypost.trackerEvent(fake, 'return_to_sender'))).response.status).to.equal(200);
    const stored = await storedReturns(order.id);
    expect(stored).to.have.length(1);
    expect(stored[0]).to.include({ status: 'approved', origin: 'carrier' });
    const [row] = await query('SELECT source_shipment_id, note, created_by FROM returns WHERE id = $1', [stored[0]!.id]);
    expect(row.source_shipment_id).to.equal(shipment.id);
    expect(row.note).to.include(shipment.trackingCode);
    expect(row.created_by).to.equal(null);
    const view = ok(await client(await asAdmin()).GET('/api/v1/returns/{id}', { params: { path: { id: stored[0]!.id } } }));
    expect(view.lines.map((l) => ({ productId: l.productId, quantity: l.quantity, reason: l.reason }))).to.deep.equal(
      shipment.lines.map((l) => ({ productId: l.productId, quantity: l.quantity, reason: 'other' })),
    );
    expect(view.lines[0]?.productId).to.equal(product.id);
    expect(view.refund).to.deep.equal({ proposedCents: 0, refundedCents: 0 });
    // No money moved, and the order keeps its status.
    expect(await query('SELECT 1 FROM refunds r JOIN payments p ON p.id = r.payment_id WHERE p.order_id = $1', [order.id])).to.have.length(0);
    expect((await query('SELECT status FROM orders WHERE id = $1', [order.id]))[0].status).to.equal('shipped');
    const events = await query("SELECT data FROM events WHERE type = 'return.updated' AND data->>'orderId' = $1", [order.id]);
    expect(events.map((e) => e.data.origin)).to.deep.equal(['carrier']);
  });

  it('lets staff receive the parcel sent back: its units restocked, counted returned', async () => {
    const { order, fake, product } = await shippedWithEasyPost();
    ok(await easypostWebhook(easypost.trackerEvent(fake, 'return_to_sender')));
    const [made] = await storedReturns(order.id);
    const admin = await asAdmin();
    const units = order.items[0]!.quantity;
    const received = ok(
      await client(admin).POST('/api/v1/returns/{id}/receive', {
        params: { path: { id: made!.id } },
        body: { lines: [{ productId: product.id, receivedQuantity: units, restockQuantity: units }] },
      }),
    );
    expect(received.status).to.equal('received');
    expect(received.refund.proposedCents).to.equal(order.items[0]!.grossCents);
    const order2 = ok(await client(admin).GET('/api/v1/orders/{id}', { params: { path: { id: order.id } } }));
    expect(order2.returnStatus).to.equal('returned');
  });
});
