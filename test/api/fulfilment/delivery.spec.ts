import { expect } from 'chai';
import { asAdmin, ok } from '../../support/api';
import { client } from '../../support/client';
import { FakeEasyPost } from '../../support/fakes/easypost.fake';
import { easypostWebhook } from '../integrations/helpers';
import { eventsOf, getOrder, historyOf, preparedOrder, shipManually } from './helpers';

describe('Delivery of a partly shipped order', function () {
  // Many requests each, on a shared machine: more than mocha's default 20 s when it is busy.
  this.timeout(60_000);
  let easypost: FakeEasyPost;
  beforeEach(() => {
    easypost = new FakeEasyPost().install();
  });
  afterEach(() => easypost.uninstall());

  async function shipWithEasyPost(orderId: string, productId: string, quantity: number) {
    const res = await client(await asAdmin()).POST('/api/v1/orders/{id}/shipments', {
      params: { path: { id: orderId } },
      body: { carrier: 'easypost', parcel: { weightGrams: 800 }, lines: [{ productId, quantity }] },
    });
    expect(res.response.status, JSON.stringify(res.error)).to.equal(201);
    const fake = [...easypost.shipments.values()].find((s) => s.tracking_code === res.data?.trackingCode)!;
    return { shipment: ok(res), fake };
  }

  it('delivers the order only when its last counting shipment is delivered, whatever order the tracker events arrive in', async () => {
    const { order, products } = await preparedOrder([{ quantity: 5 }]);
    const id = products[0]!.id;
    const first = await shipWithEasyPost(order.id, id, 2);

    // Shipment 1 of 2 delivered while units are still to ship: the order stays partly shipped.
    const early = await easypostWebhook(easypost.trackerEvent(first.fake, 'delivered'));
    expect(early.data?.outcome).to.equal('shipment-delivered');
    let view = await getOrder(order.id);
    expect(view.status).to.equal('partially_shipped');
    expect(view.shipments[0]).to.include({ status: 'delivered', trackingStatus: 'delivered' });
    expect((await eventsOf(order.id, 'shipment.updated')).at(-1)).to.deep.include({ status: 'delivered', lines: [{ productId: id, quantity: 2 }] });

    const second = await shipWithEasyPost(order.id, id, 3);
    view = await getOrder(order.id);
    expect(view.status, 'every unit shipped, one shipment still on its way').to.equal('shipped');

    const late = await easypostWebhook(easypost.trackerEvent(second.fake, 'delivered'));
    expect(late.data?.outcome).to.equal('order-delivered');
    expect((await getOrder(order.id)).status).to.equal('delivered');
    expect((await historyOf(order.id)).slice(-3)).to.deep.equal([
      ['in_preparation', 'partially_shipped'],
      ['partially_shipped', 'shipped'],
      ['shipped', 'delivered'],
    ]);
    const [delivered] = (await eventsOf(order.id, 'order.status_changed')).slice(-1);
    expect(delivered).to.include({ from: 'shipped', to: 'delivered', actorRole: 'system', shipmentId: second.shipment.id });
  });

  it('leaves a shipped order shipped when shipment 1 of 2 is delivered, and refuses staff’s “delivered” while units are still to ship', async () => {
    const admin = await asAdmin();
    const { order, products } = await preparedOrder([{ quantity: 4 }]);
    const id = products[0]!.id;
    const first = await shipWithEasyPost(order.id, id, 1);
    const early = await client(admin).POST('/api/v1/orders/{id}/status', { params: { path: { id: order.id } }, body: { status: 'delivered' } });
    expect(early.response.status).to.equal(409);
    expect(early.error).to.include({ code: 'illegal-transition', currentStatus: 'partially_shipped' });
    const rest = ok(await shipManually(order.id));
    expect((await easypostWebhook(easypost.trackerEvent(first.fake, 'delivered'))).data?.outcome).to.equal('shipment-delivered');
    const view = await getOrder(order.id);
    expect(view.status).to.equal('shipped');
    expect(view.shipments.map((s) => [s.id, s.status])).to.deep.equal([
      [first.shipment.id, 'delivered'],
      [rest.id, 'in_transit'],
    ]);
    // A manual shipment has no tracker: staff say the order arrived.
    ok(await client(admin).POST('/api/v1/orders/{id}/status', { params: { path: { id: order.id } }, body: { status: 'delivered' } }));
    expect((await getOrder(order.id)).shipments.map((s) => s.status)).to.deep.equal(['delivered', 'delivered']);
  });
});
