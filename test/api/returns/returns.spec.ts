import { expect } from 'chai';
import { asAdmin, customer, ok, rawRequest } from '../../support/api';
import { client } from '../../support/client';
import { query, waitFor } from '../../support/database';
import { getOrder, movementsOf, stockOf } from '../fulfilment/helpers';
import { lineAmounts } from '../../../src/orders';
import { askReturn, deliveredOrder, receiveReturn, returnedOf, stepReturn, storedReturns } from './helpers';

describe('returns (RMA)', function () {
  this.timeout(30_000);

  it('lets a customer ask to return units of its delivered order: 201, stored, numbered, announced to staff and to it', async () => {
    const { buyer, order, products } = await deliveredOrder([{ quantity: 3, unitPriceCents: 449 }, { quantity: 1 }]);
    const [a] = products;
    const res = await askReturn(buyer.token, order.id, [{ productId: a!.id, quantity: 2, reason: 'damaged' }], {
      note: 'Arrivate bagnate',
      key: `ret-${order.id}`,
    });
    expect(res.response.status).to.equal(201);
    const made = ok(res);
    expect(res.response.headers.get('location')).to.equal(`/api/v1/returns/${made.id}`);
    expect(made).to.deep.include({
      orderId: order.id,
      orderNumber: order.number,
      customerId: buyer.id,
      status: 'requested',
      origin: 'customer',
      note: 'Arrivate bagnate',
    });
    expect(made.number).to.match(/^R-\d{4}-\d{6,}$/);
    expect(made.lines).to.deep.equal([
      {
        productId: a!.id,
        sku: a!.sku,
        name: a!.name,
        quantity: 2,
        reason: 'damaged',
        receivedQuantity: 0,
        restockedQuantity: 0,
        scrappedQuantity: 0,
        unitGrossCents: lineAmounts({ quantity: 1, unitPriceCents: 449, vatRate: 22 }).grossCents,
      },
    ]);
    expect(made.refund).to.deep.equal({ proposedCents: 0, refundedCents: 0 });
    expect(await storedReturns(order.id)).to.deep.equal([{ id: made.id, status: 'requested', origin: 'customer', lines: 1 }]);
    const [event] = await query("SELECT data, audience_staff, audience_user_id FROM events WHERE type = 'return.updated' AND data->>'returnId' = $1", [
      made.id,
    ]);
    expect(event.audience_staff).to.equal(true);
    expect(event.audience_user_id).to.equal(buyer.id);
    expect(event.data).to.deep.equal({
      returnId: made.id,
      number: made.number,
      orderId: order.id,
      status: 'requested',
      origin: 'customer',
      lines: [{ productId: a!.id, quantity: 2, receivedQuantity: 0, restockedQuantity: 0 }],
      proposedRefundCents: 0,
    });
    // The same key replays the answer and stores nothing more.
    const again = await askReturn(buyer.token, order.id, [{ productId: a!.id, quantity: 2, reason: 'damaged' }], {
      note: 'Arrivate bagnate',
      key: `ret-${order.id}`,
    });
    expect(again.response.headers.get('idempotent-replayed')).to.equal('true');
    expect(again.data?.id).to.equal(made.id);
    expect(await storedReturns(order.id)).to.have.length(1);
    // The order's own status does not change; nothing is returned until received.
    const view = await getOrder(order.id);
    expect(view).to.include({ status: 'delivered', returnStatus: 'none' });
  });

  it('refuses returning more than shipped with 409 over-return and stores nothing', async () => {
    const { buyer, order, products } = await deliveredOrder([{ quantity: 3 }]);
    const res = await askReturn(buyer.token, order.id, [{ productId: products[0]!.id, quantity: 4, reason: 'not_needed' }]);
    expect(res.response.status).to.equal(409);
    expect(res.error).to.include({ code: 'over-return', productId: products[0]!.id, returnableQuantity: 3 });
    expect(await storedReturns(order.id)).to.deep.equal([]);
    // What open returns hold counts: 2 asked, then 2 more of 3 is over; a rejected return gives its units back.
    const first = ok(await askReturn(buyer.token, order.id, [{ productId: products[0]!.id, quantity: 2, reason: 'not_needed' }]));
    const second = await askReturn(buyer.token, order.id, [{ productId: products[0]!.id, quantity: 2, reason: 'not_needed' }]);
    expect(second.error).to.include({ code: 'over-return', returnableQuantity: 1 });
    const admin = await asAdmin();
    ok(await client(admin).POST('/api/v1/returns/{id}/reject', { params: { path: { id: first.id } }, body: { reason: 'Non conforme' } }));
    expect((await askReturn(buyer.token, order.id, [{ productId: products[0]!.id, quantity: 3, reason: 'not_needed' }])).response.status).to.equal(201);
  });

  it('lets exactly one of two concurrent returns that together exceed a line through; the other is a 409', async () => {
    const { buyer, order, products } = await deliveredOrder([{ quantity: 5 }]);
    const line = [{ productId: products[0]!.id, quantity: 3, reason: 'defective' as const }];
    const answers = await Promise.all([askReturn(buyer.token, order.id, line), askReturn(buyer.token, order.id, line)]);
    expect(answers.map((a) => a.response.status).sort()).to.deep.equal([201, 409]);
    expect(answers.find((a) => a.response.status === 409)?.error?.code).to.equal('over-return');
    expect(await storedReturns(order.id)).to.have.length(1);
  });

  it('receives 2 of 3: proposes 2 units gross, restocks through a return movement with inventory.stock_changed, scraps without any movement', async () => {
    const { buyer, order, products } = await deliveredOrder([
      { quantity: 3, unitPriceCents: 449 },
      { quantity: 2, unitPriceCents: 1290 },
    ]);
    const [a, b] = products;
    const made = ok(
      await askReturn(buyer.token, order.id, [
        { productId: a!.id, quantity: 3, reason: 'damaged' },
        { productId: b!.id, quantity: 1, reason: 'defective' },
      ]),
    );
    const admin = await asAdmin();
    expect(ok(await stepReturn(admin, made.id, 'approve')).status).to.equal('approved');
    const onHandBefore = (await stockOf(a!.id)).on_hand;
    const bLedger = (await movementsOf(b!.id)).length;
    // Earlier changes (the shipment) published first: no product of the order still marked.
    await waitFor(
      async () => (await query('SELECT 1 FROM stock_change_marks WHERE product_id = ANY($1::uuid[])', [[a!.id, b!.id]])).length === 0,
      5000,
      'earlier marks published',
    );
    const [{ mark }] = await query("SELECT coalesce(max(id), 0)::bigint AS mark FROM events WHERE type = 'inventory.stock_changed'");
    const received = ok(
      await receiveReturn(admin, made.id, [
        { productId: a!.id, receivedQuantity: 2, restockQuantity: 1 },
        { productId: b!.id, receivedQuantity: 1, restockQuantity: 0 },
      ]),
    );
    const twoUnitsOfA = lineAmounts({ quantity: 2, unitPriceCents: 449, vatRate: 22 }).grossCents;
    const oneUnitOfB = lineAmounts({ quantity: 1, unitPriceCents: 1290, vatRate: 22 }).grossCents;
    expect(received.status).to.equal('received');
    expect(received.refund).to.deep.equal({ proposedCents: twoUnitsOfA + oneUnitOfB, refundedCents: 0 });
    expect(received.lines.map((l) => [l.receivedQuantity, l.restockedQuantity, l.scrappedQuantity])).to.have.deep.members([
      [2, 1, 1],
      [1, 0, 1],
    ]);
    // On hand of A up by the one restocked unit, through a `return` movement naming the return.
    expect((await stockOf(a!.id)).on_hand).to.equal(onHandBefore + 1);
    const [movement] = await query("SELECT delta, reason, order_id, actor_id FROM stock_movements WHERE product_id = $1 AND type = 'return'", [a!.id]);
    expect(movement).to.deep.include({ delta: 1, order_id: order.id, reason: `return ${made.number}` });
    // B's scrapped unit moves no stock.
    expect(await movementsOf(b!.id)).to.have.length(bLedger);
    const pushed = await waitFor(
      async () => (await query("SELECT data FROM events WHERE type = 'inventory.stock_changed' AND id > $1 AND data->>'productId' = $2", [mark, a!.id]))[0],
      5000,
      'inventory.stock_changed of the restocked product',
    );
    expect(pushed.data).to.include({ onHand: onHandBefore + 1 });
    expect(await query("SELECT 1 FROM events WHERE type = 'inventory.stock_changed' AND id > $1 AND data->>'productId' = $2", [mark, b!.id])).to.have.length(0);
    // The order's lines count what came back; the order view says partially returned.
    expect(await returnedOf(order.id)).to.deep.equal({ [a!.id]: 2, [b!.id]: 1 });
    expect((await getOrder(order.id)).returnStatus).to.equal('partially_returned');
    // The event carries the counts and the proposal; the return reads the same.
    const [event] = await query("SELECT data FROM events WHERE type = 'return.updated' AND data->>'returnId' = $1 ORDER BY id DESC LIMIT 1", [made.id]);
    expect(event.data).to.include({ status: 'received', proposedRefundCents: twoUnitsOfA + oneUnitOfB });
    expect(ok(await client(buyer.token).GET('/api/v1/returns/{id}', { params: { path: { id: made.id } } }))).to.deep.equal(received);
    expect(ok(await stepReturn(admin, made.id, 'close')).status).to.equal('closed');
  });

  it('records one of two receipts sent at once: the other is a 409, one movement, the units counted once', async () => {
    const { buyer, order, products } = await deliveredOrder([{ quantity: 2 }]);
    const admin = await asAdmin();
    const made = ok(await askReturn(buyer.token, order.id, [{ productId: products[0]!.id, quantity: 2, reason: 'damaged' }]));
    ok(await stepReturn(admin, made.id, 'approve'));
    const receipt = [{ productId: products[0]!.id, receivedQuantity: 2, restockQuantity: 2 }];
    const answers = await Promise.all([receiveReturn(admin, made.id, receipt), receiveReturn(await asAdmin(), made.id, receipt)]);
    expect(answers.map((a) => a.response.status).sort()).to.deep.equal([200, 409]);
    expect(answers.find((a) => a.response.status === 409)?.error).to.include({ code: 'illegal-transition', currentReturnStatus: 'received' });
    expect(await query("SELECT delta FROM stock_movements WHERE order_id = $1 AND type = 'return'", [order.id])).to.deep.equal([{ delta: 2 }]);
    expect(await returnedOf(order.id)).to.deep.equal({ [products[0]!.id]: 2 });
  });

  it('marks the order returned when every shipped unit came back, and proposes no more than the line for several returns', async () => {
    const { buyer, order, products } = await deliveredOrder([{ quantity: 3, unitPriceCents: 449 }]);
    const admin = await asAdmin();
    let proposed = 0;
    for (let i = 0; i < 3; i += 1) {
      const made = ok(await askReturn(buyer.token, order.id, [{ productId: products[0]!.id, quantity: 1, reason: 'not_needed' }]));
      ok(await stepReturn(admin, made.id, 'approve'));
      proposed += ok(await receiveReturn(admin, made.id, [{ productId: products[0]!.id, receivedQuantity: 1, restockQuantity: 1 }])).refund.proposedCents;
    }
    expect(proposed).to.equal(order.items[0]!.grossCents);
    expect((await getOrder(order.id)).returnStatus).to.equal('returned');
  });

  it('answers 404 to a customer returning, reading or cancelling another customer’s order or return', async () => {
    const { buyer, order, products } = await deliveredOrder([{ quantity: 2 }]);
    const other = await customer();
    const res = await askReturn(other.token, order.id, [{ productId: products[0]!.id, quantity: 1, reason: 'other' }]);
    expect(res.response.status).to.equal(404);
    expect(await storedReturns(order.id)).to.deep.equal([]);
    const made = ok(await askReturn(buyer.token, order.id, [{ productId: products[0]!.id, quantity: 1, reason: 'other' }]));
    expect((await client(other.token).GET('/api/v1/returns/{id}', { params: { path: { id: made.id } } })).response.status).to.equal(404);
    expect((await client(other.token).GET('/api/v1/orders/{id}/returns', { params: { path: { id: order.id } } })).response.status).to.equal(404);
    expect((await stepReturn(other.token, made.id, 'cancel')).response.status).to.equal(404);
    expect((await storedReturns(order.id))[0]?.status).to.equal('requested');
  });

  it('lists returns: staff see every one (filtered by status and order), a customer only its own, paged by cursor', async () => {
    const first = await deliveredOrder([{ quantity: 3 }]);
    const second = await deliveredOrder([{ quantity: 3 }]);
    const mine = [];
    for (let i = 0; i < 3; i += 1)
      mine.push(ok(await askReturn(first.buyer.token, first.order.id, [{ productId: first.products[0]!.id, quantity: 1, reason: 'other' }])));
    const theirs = ok(await askReturn(second.buyer.token, second.order.id, [{ productId: second.products[0]!.id, quantity: 1, reason: 'other' }]));
    const ownPage1 = ok(await client(first.buyer.token).GET('/api/v1/returns', { params: { query: { limit: 2 } } }));
    expect(ownPage1.items.map((r) => r.id)).to.deep.equal([mine[2]!.id, mine[1]!.id]);
    const ownPage2 = ok(await client(first.buyer.token).GET('/api/v1/returns', { params: { query: { limit: 2, cursor: ownPage1.nextCursor! } } }));
    expect(ownPage2.items.map((r) => r.id)).to.deep.equal([mine[0]!.id]);
    expect(ownPage2.nextCursor).to.equal(null);
    // Another customer's order id filters to nothing for a customer.
    expect(ok(await client(first.buyer.token).GET('/api/v1/returns', { params: { query: { orderId: second.order.id } } })).items).to.deep.equal([]);
    const admin = await asAdmin();
    expect(ok(await client(admin).GET('/api/v1/returns', { params: { query: { orderId: second.order.id } } })).items.map((r) => r.id)).to.deep.equal([
      theirs.id,
    ]);
    ok(await stepReturn(admin, mine[1]!.id, 'approve'));
    const approved = ok(await client(admin).GET('/api/v1/returns', { params: { query: { orderId: first.order.id, status: 'approved' } } }));
    expect(approved.items.map((r) => r.id)).to.deep.equal([mine[1]!.id]);
    const ofOrder = ok(await client(first.buyer.token).GET('/api/v1/orders/{id}/returns', { params: { path: { id: first.order.id } } }));
    expect(ofOrder.items.map((r) => r.id)).to.deep.equal(mine.map((r) => r.id));
  });

  it('closes the window: an order delivered longer ago than RETURN_WINDOW_DAYS is a 409 for a customer, not for staff', async () => {
    const { buyer, order, products } = await deliveredOrder([{ quantity: 2 }]);
    await query("UPDATE order_status_history SET at = now() - interval '31 days' WHERE order_id = $1 AND to_status = 'delivered'", [order.id]);
    const late = await askReturn(buyer.token, order.id, [{ productId: products[0]!.id, quantity: 1, reason: 'not_needed' }]);
    expect(late.response.status).to.equal(409);
    expect(late.error).to.include({ code: 'return-window-closed', returnWindowDays: 30 });
    expect(await storedReturns(order.id)).to.deep.equal([]);
    const staff = await askReturn(await asAdmin(), order.id, [{ productId: products[0]!.id, quantity: 1, reason: 'not_needed' }]);
    expect(staff.response.status).to.equal(201);
    expect(staff.data?.origin).to.equal('staff');
  });

  it('refuses a customer’s return of an order not delivered yet with 409 order-not-delivered; staff may return shipped units', async () => {
    const { buyer, order, products } = await deliveredOrder([{ quantity: 2 }], { deliver: false });
    const early = await askReturn(buyer.token, order.id, [{ productId: products[0]!.id, quantity: 1, reason: 'wrong_item' }]);
    expect(early.response.status).to.equal(409);
    expect(early.error?.code).to.equal('order-not-delivered');
    expect((await askReturn(await asAdmin(), order.id, [{ productId: products[0]!.id, quantity: 2, reason: 'wrong_item' }])).response.status).to.equal(201);
  });

  it('answers a wrong step with 409 illegal-transition naming the allowed ones, and changes nothing', async () => {
    const { buyer, order, products } = await deliveredOrder([{ quantity: 2 }]);
    const admin = await asAdmin();
    const made = ok(await askReturn(buyer.token, order.id, [{ productId: products[0]!.id, quantity: 2, reason: 'damaged' }]));
    const early = await receiveReturn(admin, made.id, [{ productId: products[0]!.id, receivedQuantity: 1, restockQuantity: 1 }]);
    expect(early.response.status).to.equal(409);
    expect(early.error).to.deep.include({
      code: 'illegal-transition',
      currentReturnStatus: 'requested',
      allowedReturnStatuses: ['approved', 'rejected', 'cancelled'],
    });
    expect((await stepReturn(admin, made.id, 'close')).error?.code).to.equal('illegal-transition');
    ok(await stepReturn(admin, made.id, 'approve'));
    expect((await stepReturn(admin, made.id, 'approve')).error?.code).to.equal('illegal-transition');
    // A customer cancels only a requested return of its own.
    const own = await stepReturn(buyer.token, made.id, 'cancel');
    expect(own.response.status).to.equal(409);
    expect(own.error).to.include({ code: 'illegal-transition', currentReturnStatus: 'approved' });
    expect((await storedReturns(order.id))[0]?.status).to.equal('approved');
    expect(await query("SELECT 1 FROM stock_movements WHERE order_id = $1 AND type = 'return'", [order.id])).to.have.length(0);
    // Staff may cancel an approved one; then nothing more.
    expect(ok(await stepReturn(admin, made.id, 'cancel')).status).to.equal('cancelled');
    expect((await stepReturn(admin, made.id, 'approve')).error).to.include({ code: 'illegal-transition', currentReturnStatus: 'cancelled' });
    // A customer cancels its own requested return.
    const second = ok(await askReturn(buyer.token, order.id, [{ productId: products[0]!.id, quantity: 1, reason: 'damaged' }]));
    expect(ok(await stepReturn(buyer.token, second.id, 'cancel')).status).to.equal('cancelled');
  });

  it('refuses a customer approving or receiving (403)', async () => {
    const { buyer, order, products } = await deliveredOrder([{ quantity: 2 }]);
    const made = ok(await askReturn(buyer.token, order.id, [{ productId: products[0]!.id, quantity: 1, reason: 'damaged' }]));
    expect((await stepReturn(buyer.token, made.id, 'approve')).response.status).to.equal(403);
    expect((await receiveReturn(buyer.token, made.id, [{ productId: products[0]!.id, receivedQuantity: 1, restockQuantity: 0 }])).response.status).to.equal(
      403,
    );
  });

  it('refuses bad input with 400 (never 500) and stores nothing', async () => {
    const { buyer, order, products } = await deliveredOrder([{ quantity: 2 }, { quantity: 1 }]);
    const stranger = await deliveredOrder([{ quantity: 1 }]);
    const [a, b] = products;
    const bodies: unknown[] = [
      { lines: [] },
      {},
      { lines: [{ productId: a!.id, quantity: 0, reason: 'damaged' }] },
      { lines: [{ productId: a!.id, quantity: -1, reason: 'damaged' }] },
      { lines: [{ productId: a!.id, quantity: 1.5, reason: 'damaged' }] },
      { lines: [{ productId: a!.id, quantity: 2 ** 31, reason: 'damaged' }] },
      { lines: [{ productId: a!.id, quantity: 2 ** 53 + 2, reason: 'damaged' }] },
      { lines: [{ productId: a!.id, quantity: '1', reason: 'damaged' }] },
      { lines: [{ productId: a!.id, quantity: 1, reason: 'broken' }] },
      { lines: [{ productId: a!.id, quantity: 1 }] },
      { lines: [{ productId: 'not-a-uuid', quantity: 1, reason: 'damaged' }] },
      { lines: [{ productId: a!.id, quantity: 1, reason: 'damaged', status: 'approved' }] },
      { lines: [{ productId: a!.id, quantity: 1, reason: 'damaged' }], note: 'x'.repeat(2001) },
      { lines: [{ productId: '00000000-0000-4000-8000-000000000000', quantity: 1, reason: 'damaged' }] },
      { lines: [{ productId: stranger.products[0]!.id, quantity: 1, reason: 'damaged' }] },
      {
        lines: [
          { productId: a!.id, quantity: 1, reason: 'damaged' },
          { productId: a!.id.toUpperCase(), quantity: 1, reason: 'damaged' },
        ],
      },
    ];
    for (const body of bodies) {
      const res = await rawRequest('POST', `/api/v1/orders/${order.id}/returns`, { token: buyer.token, body });
      expect(res.status, JSON.stringify(body)).to.equal(400);
    }
    expect(await storedReturns(order.id)).to.deep.equal([]);
    // A receipt: restocking more than received, a product not on the return, a repeated line are 400; more than asked is 409.
    const admin = await asAdmin();
    const made = ok(await askReturn(buyer.token, order.id, [{ productId: a!.id, quantity: 2, reason: 'damaged' }]));
    ok(await stepReturn(admin, made.id, 'approve'));
    const receipts = [
      [{ productId: a!.id, receivedQuantity: 1, restockQuantity: 2 }],
      [{ productId: b!.id, receivedQuantity: 1, restockQuantity: 0 }],
      [
        { productId: a!.id, receivedQuantity: 1, restockQuantity: 0 },
        { productId: a!.id, receivedQuantity: 1, restockQuantity: 0 },
      ],
    ];
    for (const lines of receipts) expect((await receiveReturn(admin, made.id, lines)).response.status, JSON.stringify(lines)).to.equal(400);
    const over = await receiveReturn(admin, made.id, [{ productId: a!.id, receivedQuantity: 3, restockQuantity: 0 }]);
    expect(over.response.status).to.equal(409);
    expect(over.error).to.include({ code: 'over-receipt', productId: a!.id, requestedQuantity: 2 });
    expect(
      (
        await rawRequest('POST', `/api/v1/returns/${made.id}/receive`, {
          token: admin,
          body: { lines: [{ productId: a!.id, receivedQuantity: -1, restockQuantity: 0 }] },
        })
      ).status,
    ).to.equal(400);
    expect((await storedReturns(order.id))[0]?.status).to.equal('approved');
    expect(await query("SELECT 1 FROM stock_movements WHERE order_id = $1 AND type = 'return'", [order.id])).to.have.length(0);
    expect(await returnedOf(order.id)).to.deep.equal({ [a!.id]: 0, [b!.id]: 0 });
  });
});
