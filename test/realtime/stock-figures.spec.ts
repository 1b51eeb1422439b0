import { expect } from 'chai';
import { ADDRESS, createProduct, customer, operator } from '../support/api';
import { client } from '../support/client';
import { h } from '../support/hooks';
import { query, waitFor } from '../support/database';
import { assertMatchesAsyncApi, connectSocket, type ReceivedEvent, type TestSocket } from '../support/realtime';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const stockOf = (productId: string) => (e: ReceivedEvent) => e.name === 'inventory.stock_changed' && e.payload?.data?.productId === productId;
const figures = (e: ReceivedEvent) => ({ onHand: e.payload.data.onHand, reserved: e.payload.data.reserved, available: e.payload.data.available });

async function storedFigures(productId: string) {
  const [row] = await query<{ on_hand: number; reserved: number }>('SELECT on_hand, reserved FROM products WHERE id = $1', [productId]);
  if (!row) throw new Error('no such product');
  return { onHand: row.on_hand, reserved: row.reserved, available: row.on_hand - row.reserved };
}

async function order(token: string, productId: string, quantity: number): Promise<string> {
  const res = await client(token).POST('/api/v1/orders', { body: { items: [{ productId, quantity }], shippingAddress: ADDRESS } });
  expect(res.response.status, JSON.stringify(res.error)).to.equal(201);
  return res.data?.id as string;
}

describe('real time: live stock figures (inventory.stock_changed)', function () {
  this.timeout(60_000); // each step waits out the one-second gap between a product's events
  const open: TestSocket[] = [];
  const track = (s: TestSocket) => {
    open.push(s);
    return s;
  };
  afterEach(() => {
    for (const s of open.splice(0)) s.close();
  });

  /** A product whose creation event (its initial stock) has arrived, so later events are the test's own. */
  async function settledProduct(staff: TestSocket, initialStock: number) {
    const product = await createProduct({ initialStock });
    const created = await staff.next(stockOf(product.id), 3000, 'the initial stock event');
    expect(figures(created)).to.deep.equal({ onHand: initialStock, reserved: 0, available: initialStock });
    return product;
  }

  it('coalesces a burst of 20 orders into at most two events a second apart, the last with the stored figures; customers hear none', async () => {
    const [op, buyer] = await Promise.all([operator(), customer()]);
    const staff = track(await connectSocket({ token: op.token }));
    const buyerSocket = track(await connectSocket({ token: buyer.token }));
    const product = await settledProduct(staff, 100);
    const before = staff.received.filter(stockOf(product.id)).length;

    const started = Date.now();
    await Promise.all(Array.from({ length: 20 }, () => order(buyer.token, product.id, 1)));
    const burstMs = Date.now() - started;

    const final = { onHand: 100, reserved: 20, available: 80 };
    const last = await staff.next((e) => stockOf(product.id)(e) && e.payload.data.reserved === 20, 2000, 'the final figures within 2 s');
    expect(figures(last)).to.deep.equal(final);
    expect(await storedFigures(product.id)).to.deep.equal(final);
    await sleep(1500); // nothing more may follow
    const burst = staff.received.filter(stockOf(product.id)).slice(before);
    // A burst inside one second spans at most two passes (one may publish mid-burst).
    expect(burst.length, `${burst.length} events for a burst of ${burstMs} ms`).to.be.within(1, Math.max(2, Math.ceil(burstMs / 1000) + 1));
    expect(burst.at(-1)).to.equal(last);
    const times = staff.received.filter(stockOf(product.id)).map((e) => Date.parse(e.payload.occurredAt));
    for (let i = 1; i < times.length; i += 1) expect((times[i] as number) - (times[i - 1] as number)).to.be.at.least(1000);
    for (const e of staff.received.filter(stockOf(product.id))) {
      assertMatchesAsyncApi(e);
      expect(e.payload.data.sku).to.equal(product.sku);
    }
    // The customer got its 20 orders' events, never a stock figure.
    await buyerSocket.next((e) => e.name === 'order.created', 2000);
    expect(buyerSocket.received.map((e) => e.name)).to.not.include('inventory.stock_changed');
    expect(await query('SELECT 1 FROM stock_change_marks WHERE product_id = $1', [product.id])).to.be.empty;
  });

  it('sends one event for a stock movement, with the figures after it', async () => {
    const op = await operator();
    const staff = track(await connectSocket({ token: op.token }));
    const product = await settledProduct(staff, 10);
    const before = staff.received.filter(stockOf(product.id)).length;

    const res = await client(op.token).POST('/api/v1/products/{id}/stock-movements', {
      params: { path: { id: product.id } },
      body: { type: 'receipt', delta: 5, reason: 'consegna fornitore' },
    });
    expect(res.response.status).to.equal(201);

    const event = await staff.next((e) => stockOf(product.id)(e) && e.payload.data.onHand === 15, 2000, 'the movement event');
    expect(figures(event)).to.deep.equal({ onHand: 15, reserved: 0, available: 15 });
    await sleep(1300);
    expect(staff.received.filter(stockOf(product.id)).slice(before)).to.have.length(1);
  });

  it('follows every change of the figures: reservation, release on cancel, the sale on shipping, release on expiry', async () => {
    const [op, buyer] = await Promise.all([operator(), customer()]);
    const staff = track(await connectSocket({ token: op.token }));
    const product = await settledProduct(staff, 10);
    // Only events received since the last expectation count (figures may repeat: 6/0 after the sale and after the expiry).
    let since = staff.received.length;
    const expectFigures = async (want: { onHand: number; reserved: number }, what: string) => {
      const from = since;
      const e = await staff.next(
        (x) =>
          staff.received.indexOf(x) >= from && stockOf(product.id)(x) && x.payload.data.onHand === want.onHand && x.payload.data.reserved === want.reserved,
        3000,
        what,
      );
      since = staff.received.indexOf(e) + 1;
      expect(e.payload.data.available).to.equal(want.onHand - want.reserved);
    };
    const staffApi = client(op.token);

    const cancelled = await order(buyer.token, product.id, 3);
    await expectFigures({ onHand: 10, reserved: 3 }, 'the reservation');
    const cancel = await client(buyer.token).POST('/api/v1/orders/{id}/cancel', { params: { path: { id: cancelled } }, body: { reason: 'errore' } });
    expect(cancel.response.status).to.equal(200);
    await expectFigures({ onHand: 10, reserved: 0 }, 'the release');

    const shipped = await order(buyer.token, product.id, 4);
    await expectFigures({ onHand: 10, reserved: 4 }, 'the second reservation');
    expect((await staffApi.POST('/api/v1/orders/{id}/payments', { params: { path: { id: shipped } }, body: { provider: 'manual' } })).response.status).to.equal(
      201,
    );
    expect(
      (await staffApi.POST('/api/v1/orders/{id}/status', { params: { path: { id: shipped } }, body: { status: 'in_preparation' } })).response.status,
    ).to.equal(200);
    const ship = await staffApi.POST('/api/v1/orders/{id}/shipments', {
      params: { path: { id: shipped } },
      body: { carrier: 'manual', carrierName: 'BRT', trackingCode: 'BRT-LIVE-1' },
    });
    expect(ship.response.status).to.equal(201);
    await expectFigures({ onHand: 6, reserved: 0 }, 'the sale');

    // An unpaid order past its reservation is cancelled by the sweeper, which releases its stock.
    const expiring = await order(buyer.token, product.id, 5);
    await expectFigures({ onHand: 6, reserved: 5 }, 'the third reservation');
    await query("UPDATE orders SET reserved_until = now() - interval '1 second' WHERE id = $1", [expiring]);
    await expectFigures({ onHand: 6, reserved: 0 }, 'the release on expiry');
    const [expired] = await query<{ status: string }>('SELECT status FROM orders WHERE id = $1', [expiring]);
    expect(expired?.status).to.equal('cancelled');
    expect(await storedFigures(product.id)).to.deep.equal({ onHand: 6, reserved: 0, available: 6 });
  });

  it('publishes a change committed while no publisher runs once one starts (the mark is stored with the change)', async () => {
    const [op, buyer] = await Promise.all([operator(), customer()]);
    const staff = track(await connectSocket({ token: op.token }));
    const product = await settledProduct(staff, 10);
    const { stockFigures } = h().server;
    await stockFigures.stop(); // as if every instance had died right after the commit
    try {
      await order(buyer.token, product.id, 2);
      expect(await query('SELECT 1 FROM stock_change_marks WHERE product_id = $1', [product.id])).to.have.length(1);
      await sleep(1300);
      expect(staff.received.filter((e) => stockOf(product.id)(e) && e.payload.data.reserved === 2)).to.be.empty;
    } finally {
      stockFigures.start();
    }
    const event = await staff.next((e) => stockOf(product.id)(e) && e.payload.data.reserved === 2, 2000, 'the event after the restart');
    expect(figures(event)).to.deep.equal({ onHand: 10, reserved: 2, available: 8 });
  });

  it('waits for a change still open on a marked product and publishes its figures, never older ones', async () => {
    const op = await operator();
    const staff = track(await connectSocket({ token: op.token }));
    const product = await settledProduct(staff, 10);
    await sleep(1000); // past the gap, so the next pass publishes as soon as it finds the mark
    const held = h().db;
    await held.query('BEGIN');
    try {
      // An earlier change left a mark; a second change of the same product is still open.
      await held.query('INSERT INTO stock_change_marks (product_id) VALUES ($1)', [product.id]);
      await held.query('COMMIT');
      await held.query('BEGIN');
      await held.query('SELECT 1 FROM products WHERE id = $1 FOR UPDATE', [product.id]);
      await held.query('UPDATE products SET reserved = 7 WHERE id = $1', [product.id]);
      await held.query('INSERT INTO stock_change_marks (product_id) VALUES ($1) ON CONFLICT DO NOTHING', [product.id]);
      await sleep(600); // a pass has found the mark and waits for the open change
      expect(staff.received.filter((e) => stockOf(product.id)(e) && e.payload.data.reserved === 0)).to.have.length(1);
      await held.query('COMMIT');
    } catch (err) {
      await held.query('ROLLBACK').catch(() => undefined);
      throw err;
    }
    const event = await staff.next((e) => stockOf(product.id)(e) && e.payload.data.reserved === 7, 2000, 'the committed figures');
    expect(figures(event)).to.deep.equal({ onHand: 10, reserved: 7, available: 3 });
    await waitFor(async () => (await query('SELECT 1 FROM stock_change_marks WHERE product_id = $1', [product.id])).length === 0, 2000, 'the mark consumed');
  });
});
