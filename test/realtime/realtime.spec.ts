import { expect } from 'chai';
import { login, asAdmin, operator, customer, createProduct, placedOrder } from '../support/api';
import { client } from '../support/client';
import { h } from '../support/hooks';
import { signAccessToken } from '../support/tokens';
import { query, waitFor } from '../support/database';
import { assertMatchesAsyncApi, connectSocket, handshakeOutcome, type ReceivedEvent, type TestSocket } from '../support/realtime';

const forOrder = (name: string, orderId: string) => (e: ReceivedEvent) => e.name === name && e.payload?.data?.orderId === orderId;
const statusTo = (orderId: string, to: string) => (e: ReceivedEvent) =>
  e.name === 'order.status_changed' && e.payload.data.orderId === orderId && e.payload.data.to === to;

async function payAndPrepare(orderId: string, staffToken: string): Promise<void> {
  expect(
    (await client(staffToken).POST('/api/v1/orders/{id}/payments', { params: { path: { id: orderId } }, body: { provider: 'manual' } })).response.status,
  ).to.equal(201);
  expect(
    (await client(staffToken).POST('/api/v1/orders/{id}/status', { params: { path: { id: orderId } }, body: { status: 'in_preparation' } })).response.status,
  ).to.equal(200);
}

describe('real time: Socket.IO events from the outbox', () => {
  const open: TestSocket[] = [];
  const track = (s: TestSocket) => {
    open.push(s);
    return s;
  };
  afterEach(() => {
    for (const s of open.splice(0)) s.close();
  });

  describe('handshake', () => {
    it('refuses a missing, garbage, expired, foreign-signed or query-string token with connect_error "unauthorized"', async () => {
      const op = await operator();
      expect(await handshakeOutcome({})).to.equal('unauthorized');
      expect(await handshakeOutcome({ token: 'not-a-jwt' })).to.equal('unauthorized');
      expect(await handshakeOutcome({ token: 42 })).to.equal('unauthorized');
      expect(await handshakeOutcome({ token: signAccessToken({ id: op.id, role: 'operator' }, {}, -10) })).to.equal('unauthorized');
      const foreign = signAccessToken({ id: op.id, role: 'admin' }, {}, 60, 'another-secret-that-is-long-enough-0123456789');
      expect(await handshakeOutcome({ token: foreign })).to.equal('unauthorized');
      // The token in the URL is never read.
      expect(await handshakeOutcome({ query: { token: op.token } })).to.equal('unauthorized');
      expect(await handshakeOutcome({ token: op.token, lastEventId: 'yesterday' })).to.equal('invalid_last_event_id');
      expect(await handshakeOutcome({ token: op.token })).to.equal('connected');
    });

    it('refuses a handshake from a foreign Origin, accepts its own origin and clients that send none', async () => {
      const op = await operator();
      const outcome = await handshakeOutcome({ token: op.token, origin: 'https://evil.example' });
      expect(outcome).to.not.equal('connected');
      const polling = await handshakeOutcome({ token: op.token, origin: 'https://evil.example', transports: ['polling'] });
      expect(polling).to.not.equal('connected');
      expect(await handshakeOutcome({ token: op.token, origin: h().baseUrl })).to.equal('connected');
      expect(await handshakeOutcome({ token: op.token, transports: ['polling'] })).to.equal('connected');
    });
  });

  describe('rooms', () => {
    it('sends staff every order event and a customer only its own', async () => {
      const product = await createProduct({ initialStock: 50 });
      const [op, alice, bob] = await Promise.all([operator(), customer(), customer()]);
      const staffSocket = track(await connectSocket({ token: op.token }));
      const aliceSocket = track(await connectSocket({ token: alice.token }));
      const bobSocket = track(await connectSocket({ token: bob.token }));

      const aliceOrder = await placedOrder(alice.token, [{ productId: product.id, quantity: 1 }]);
      const bobOrder = await placedOrder(bob.token, [{ productId: product.id, quantity: 2 }]);

      const seenByStaff = await staffSocket.next(forOrder('order.created', aliceOrder.id));
      await staffSocket.next(forOrder('order.created', bobOrder.id));
      const seenByAlice = await aliceSocket.next(forOrder('order.created', aliceOrder.id));
      await bobSocket.next(forOrder('order.created', bobOrder.id));
      expect(seenByAlice.payload).to.deep.equal(seenByStaff.payload);
      expect(seenByAlice.payload.data).to.include({ orderId: aliceOrder.id, number: aliceOrder.number, customerId: alice.id, status: 'pending_payment' });
      expect(seenByAlice.payload.data.totals).to.deep.equal(aliceOrder.totals);

      // Bob's own order arrived after Alice's was dispatched: he never saw hers, nor she his.
      expect(bobSocket.received.filter((e) => e.payload?.data?.customerId === alice.id || e.payload?.data?.orderId === aliceOrder.id)).to.be.empty;
      expect(aliceSocket.received.filter((e) => e.payload?.data?.orderId === bobOrder.id)).to.be.empty;
    });

    it('emits every kind of event, each matching its AsyncAPI schema, with ids increasing', async () => {
      const product = await createProduct({ initialStock: 10, reorderLevel: 3, unitPriceCents: 1299 });
      const [op, buyer] = await Promise.all([operator(), customer()]);
      const staffSocket = track(await connectSocket({ token: op.token }));
      const buyerSocket = track(await connectSocket({ token: buyer.token }));

      const order = await placedOrder(buyer.token, [{ productId: product.id, quantity: 8 }]);
      await payAndPrepare(order.id, op.token);
      const ship = await client(op.token).POST('/api/v1/orders/{id}/shipments', {
        params: { path: { id: order.id } },
        body: { carrier: 'manual', carrierName: 'BRT', trackingCode: 'BRT-RT-1' },
      });
      expect(ship.response.status).to.equal(201);
      expect(
        (await client(op.token).POST('/api/v1/orders/{id}/status', { params: { path: { id: order.id } }, body: { status: 'delivered' } })).response.status,
      ).to.equal(200);

      await staffSocket.next(statusTo(order.id, 'delivered'));
      const lowStock = await staffSocket.next((e) => e.name === 'inventory.low_stock' && e.payload.data.productId === product.id);
      expect(lowStock.payload.data).to.include({ sku: product.sku, available: 2, reorderLevel: 3 });
      const payment = await staffSocket.next(forOrder('payment.updated', order.id));
      expect(payment.payload.data).to.include({ provider: 'manual', status: 'captured', amountCents: order.totals.grossCents });
      const shipment = await staffSocket.next(forOrder('shipment.updated', order.id));
      expect(shipment.payload.data).to.include({ carrier: 'manual', trackingCode: 'BRT-RT-1' });
      const paid = await staffSocket.next(statusTo(order.id, 'paid'));
      expect(paid.payload.data).to.include({ from: 'pending_payment', actorId: op.id, number: order.number });

      const names = new Set(staffSocket.received.map((e) => e.name));
      for (const name of ['order.created', 'order.status_changed', 'inventory.low_stock', 'payment.updated', 'shipment.updated']) {
        expect(names, name).to.include(name);
      }
      for (const event of [...staffSocket.received, ...buyerSocket.received]) {
        assertMatchesAsyncApi(event);
        expect(event.payload.type).to.equal(event.name);
      }
      const ids = staffSocket.received.map((e) => e.payload.id as number);
      expect(ids).to.deep.equal([...ids].sort((a, b) => a - b));
      expect(new Set(ids).size).to.equal(ids.length);

      // The customer follows its order but never hears about stock.
      await buyerSocket.next(statusTo(order.id, 'delivered'));
      expect(buyerSocket.received.map((e) => e.name)).to.not.include('inventory.low_stock');
      // Every emitted event is stored, and marked dispatched once its batch commits.
      await waitFor(
        async () => (await query('SELECT id FROM events WHERE id = ANY($1::bigint[]) AND dispatched_at IS NOT NULL', [ids])).length === ids.length,
        3000,
        'every emitted event marked dispatched',
      );
    });
  });

  describe('cutting sockets', () => {
    it('disconnects a socket when its access token expires', async () => {
      const op = await operator();
      const [session] = await query<{ family_id: string }>('SELECT family_id FROM refresh_tokens WHERE user_id = $1', [op.id]);
      const shortLived = signAccessToken({ id: op.id, role: 'operator' }, { sid: session?.family_id }, 2);
      const client = track(await connectSocket({ token: shortLived }));
      expect(await client.disconnected(5000)).to.equal('io server disconnect');
    });

    it('disconnects the sockets of a session on logout, and its access token stops working', async () => {
      const op = await operator();
      const other = await login(op.email, op.password); // a second sign-in of the same user
      const loggingOut = track(await connectSocket({ token: op.token }));
      const staying = track(await connectSocket({ token: other.accessToken }));
      const res = await client(op.token).POST('/api/v1/auth/logout', { body: { refreshToken: op.refreshToken } });
      expect(res.response.status).to.equal(204);
      expect(await loggingOut.disconnected()).to.equal('io server disconnect');
      expect(await handshakeOutcome({ token: op.token })).to.equal('unauthorized');
      expect((await client(op.token).GET('/api/v1/auth/me')).response.status).to.equal(401);
      // The other sign-in is untouched.
      expect(staying.socket.connected).to.equal(true);
      expect((await client(other.accessToken).GET('/api/v1/auth/me')).response.status).to.equal(200);
    });

    it('disconnects every socket of a user who is disabled or loses the staff role', async () => {
      const [disabled, demoted] = await Promise.all([operator(), operator()]);
      const a = track(await connectSocket({ token: disabled.token }));
      const b = track(await connectSocket({ token: demoted.token }));
      const admin = await asAdmin();
      expect((await client(admin).PATCH('/api/v1/users/{id}', { params: { path: { id: disabled.id } }, body: { disabled: true } })).response.status).to.equal(
        200,
      );
      expect((await client(admin).PATCH('/api/v1/users/{id}', { params: { path: { id: demoted.id } }, body: { role: 'customer' } })).response.status).to.equal(
        200,
      );
      expect(await a.disconnected()).to.equal('io server disconnect');
      expect(await b.disconnected()).to.equal('io server disconnect');
      expect(await handshakeOutcome({ token: disabled.token })).to.equal('unauthorized');
    });

    it('disconnects every socket of a user whose password an admin sets', async () => {
      const op = await operator();
      const socket = track(await connectSocket({ token: op.token }));
      const res = await client(await asAdmin()).POST('/api/v1/users/{id}/password', {
        params: { path: { id: op.id } },
        body: { password: 'Cartellina-rossa-2027' },
      });
      expect(res.response.status).to.equal(204);
      expect(await socket.disconnected()).to.equal('io server disconnect');
      expect(await handshakeOutcome({ token: op.token })).to.equal('unauthorized');
    });

    it('caps the sockets of one user even when the handshakes arrive all at once', async () => {
      const op = await operator();
      const outcomes = await Promise.all(Array.from({ length: 30 }, () => connectSocket({ token: op.token }).then(track, (err: Error) => err.message)));
      const connected = outcomes.filter((o) => typeof o !== 'string');
      expect(connected).to.have.length(20); // SOCKET_MAX_PER_USER
      expect(outcomes.filter((o) => o === 'too_many_connections')).to.have.length(10);
    });

    it('disconnects a client that floods the server with events', async () => {
      const op = await operator();
      const client = track(await connectSocket({ token: op.token }));
      for (let i = 0; i < 40; i += 1) client.socket.emit('anything', { i });
      expect(await client.disconnected()).to.equal('io server disconnect');
    });
  });

  describe('replay and delivery guarantees', () => {
    it('replays, in order, what a client missed after lastEventId, then goes live', async () => {
      const product = await createProduct({ initialStock: 100 });
      const [op, buyer, stranger] = await Promise.all([operator(), customer(), customer()]);
      const first = track(await connectSocket({ token: op.token }));
      const buyerFirst = track(await connectSocket({ token: buyer.token }));
      const before = await placedOrder(buyer.token, [{ productId: product.id, quantity: 1 }]);
      const seen = await first.next(forOrder('order.created', before.id));
      const buyerSeen = await buyerFirst.next(forOrder('order.created', before.id));
      first.close();
      buyerFirst.close();

      // While disconnected: two orders of the buyer, one of a stranger, a status change.
      const missedA = await placedOrder(buyer.token, [{ productId: product.id, quantity: 1 }]);
      const strangers = await placedOrder(stranger.token, [{ productId: product.id, quantity: 1 }]);
      const missedB = await placedOrder(buyer.token, [{ productId: product.id, quantity: 2 }]);
      expect(
        (await client(buyer.token).POST('/api/v1/orders/{id}/cancel', { params: { path: { id: missedA.id } }, body: { reason: 'changed my mind' } })).response
          .status,
      ).to.equal(200);
      await waitFor(async () => (await query('SELECT 1 FROM events WHERE dispatched_at IS NULL')).length === 0, 5000, 'dispatch');

      const staffAgain = track(await connectSocket({ token: op.token, lastEventId: seen.payload.id }));
      await staffAgain.next(statusTo(missedA.id, 'cancelled'));
      // (Staff also get the product's coalesced inventory.stock_changed among them.)
      const orderEvents = staffAgain.received.filter((e) => e.name.startsWith('order.'));
      expect(orderEvents.map((e) => e.payload.data.orderId)).to.deep.equal([missedA.id, strangers.id, missedB.id, missedA.id]);
      const replayedIds = staffAgain.received.map((e) => e.payload.id as number);
      expect(replayedIds.every((id) => id > seen.payload.id)).to.equal(true);
      expect(replayedIds).to.deep.equal([...replayedIds].sort((a, b) => a - b));

      const buyerAgain = track(await connectSocket({ token: buyer.token, lastEventId: String(buyerSeen.payload.id) }));
      await buyerAgain.next(statusTo(missedA.id, 'cancelled'));
      expect(buyerAgain.received.map((e) => e.payload.data.orderId)).to.deep.equal([missedA.id, missedB.id, missedA.id]);

      // Then live events follow.
      const live = await placedOrder(buyer.token, [{ productId: product.id, quantity: 1 }]);
      await staffAgain.next(forOrder('order.created', live.id));
      await buyerAgain.next(forOrder('order.created', live.id));
      for (const e of [...staffAgain.received, ...buyerAgain.received]) assertMatchesAsyncApi(e);
    });

    it('delivers an event committed while no dispatcher runs once a dispatcher starts', async () => {
      const product = await createProduct({ initialStock: 10 });
      const [op, buyer] = await Promise.all([operator(), customer()]);
      const client = track(await connectSocket({ token: op.token }));
      const { dispatcher } = h().server;
      await dispatcher.stop(); // as if the process had died right after the commit
      let order: any;
      try {
        order = await placedOrder(buyer.token, [{ productId: product.id, quantity: 1 }]);
        const [row] = await query("SELECT id, dispatched_at FROM events WHERE type = 'order.created' AND data->>'orderId' = $1", [order.id]);
        expect(row.dispatched_at).to.equal(null);
        await new Promise((r) => setTimeout(r, 300));
        expect(client.received.filter(forOrder('order.created', order.id))).to.be.empty;
      } finally {
        await dispatcher.start();
      }
      await client.next(forOrder('order.created', order.id));
      await waitFor(
        async () => (await query("SELECT dispatched_at FROM events WHERE data->>'orderId' = $1 AND dispatched_at IS NOT NULL", [order.id])).length === 1,
        3000,
        'the event marked dispatched',
      );
      expect(client.received.filter(forOrder('order.created', order.id))).to.have.length(1);
    });

    it('delivers a batch of events to each socket, WebSocket or polling, once each, in order, only to its audience', async () => {
      const product = await createProduct({ initialStock: 10 });
      const [op, alice, bob] = await Promise.all([operator(), customer(), customer()]);
      const staffWs = track(await connectSocket({ token: op.token }));
      const staffPolling = track(await connectSocket({ token: op.token, transports: ['polling'] }));
      const aliceSocket = track(await connectSocket({ token: alice.token }));
      const bobSocket = track(await connectSocket({ token: bob.token }));
      // Five events committed at once are drained in one batch: staff-only ones and Alice's, interleaved.
      const low = (available: number) => JSON.stringify({ productId: product.id, sku: product.sku, available, reorderLevel: 5 });
      const forAlice = (to: string) => JSON.stringify({ orderId: `batch-${to}`, customerId: alice.id, from: 'paid', to });
      const rows = await query<{ id: string }>(
        `INSERT INTO events (type, data, audience_staff, audience_user_id)
         VALUES ('inventory.low_stock', $1::jsonb, true, NULL), ('order.status_changed', $2::jsonb, true, $3),
                ('inventory.low_stock', $4::jsonb, true, NULL), ('order.status_changed', $5::jsonb, true, $3),
                ('order.status_changed', $6::jsonb, false, $3)
         RETURNING id`,
        [low(4), forAlice('in_preparation'), alice.id, low(3), forAlice('shipped'), forAlice('delivered')],
      );
      const ids = rows.map((r) => Number(r.id));
      const batch = (s: TestSocket) => s.received.filter((e) => ids.includes(e.payload?.id)).map((e) => e.payload.id as number);
      await staffWs.next((e) => e.payload?.id === ids[3], 8000, 'the staff WebSocket got the batch');
      await staffPolling.next((e) => e.payload?.id === ids[3], 8000, 'the staff polling socket got the batch');
      await aliceSocket.next((e) => e.payload?.id === ids[4], 8000, 'Alice got her events');
      // What came after the batch still arrives: every socket's transport was released.
      const order = await placedOrder(bob.token, [{ productId: product.id, quantity: 1 }]);
      await staffWs.next(forOrder('order.created', order.id));
      await staffPolling.next(forOrder('order.created', order.id));
      await bobSocket.next(forOrder('order.created', order.id));
      expect(batch(staffWs)).to.deep.equal(ids.slice(0, 4));
      expect(batch(staffPolling)).to.deep.equal(ids.slice(0, 4));
      expect(batch(aliceSocket)).to.deep.equal([ids[1], ids[3], ids[4]]);
      expect(batch(bobSocket)).to.be.empty;
    });

    it('holds later events back while an earlier id is uncommitted, then sends both in order', async () => {
      const product = await createProduct({ initialStock: 10 });
      const [op, buyer] = await Promise.all([operator(), customer()]);
      const client = track(await connectSocket({ token: op.token }));
      // A transaction takes the next event id and stays open.
      const held = h().db;
      await held.query('BEGIN');
      let heldId: number;
      try {
        const [row] = (
          await held.query(`INSERT INTO events (type, data, audience_staff) VALUES ('inventory.low_stock', $1::jsonb, true) RETURNING id`, [
            JSON.stringify({ productId: product.id, sku: product.sku, available: 1, reorderLevel: 1 }),
          ])
        ).rows;
        heldId = Number(row.id);
        const order = await placedOrder(buyer.token, [{ productId: product.id, quantity: 1 }]);
        await new Promise((r) => setTimeout(r, 300));
        expect(client.received.filter(forOrder('order.created', order.id)), 'held back behind the open transaction').to.be.empty;
        await held.query('COMMIT');
        const created = await client.next(forOrder('order.created', order.id));
        const low = await client.next((e) => e.name === 'inventory.low_stock' && e.payload.id === heldId);
        expect(client.received.indexOf(low)).to.be.lessThan(client.received.indexOf(created));
      } catch (err) {
        await held.query('ROLLBACK').catch(() => undefined);
        throw err;
      }
    });

    it('skips an id whose transaction rolled back, after a bounded wait', async () => {
      const product = await createProduct({ initialStock: 10 });
      const [op, buyer] = await Promise.all([operator(), customer()]);
      const client = track(await connectSocket({ token: op.token }));
      const held = h().db;
      await held.query('BEGIN');
      await held.query(`INSERT INTO events (type, data, audience_staff) VALUES ('inventory.low_stock', '{}'::jsonb, true)`);
      const order = await placedOrder(buyer.token, [{ productId: product.id, quantity: 1 }]);
      await held.query('ROLLBACK');
      // EVENT_GAP_TIMEOUT_MS is 2 s by default.
      await client.next(forOrder('order.created', order.id), 6000);
    });
  });
});
