import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { asAdmin, customer, ok, operator, placedOrder, createProduct, problemOf, rawRequest } from '../../support/api';
import { client } from '../../support/client';
import { query, waitFor } from '../../support/database';
import { FakeStripe } from '../../support/fakes/stripe.fake';
import { h } from '../../support/hooks';
import { assertMatchesAsyncApi, connectSocket, type TestSocket } from '../../support/realtime';
import { unpaidOrder } from '../integrations/helpers';
import { assertEventsMatchAsyncApi } from '../fulfilment/helpers';
import { askRefund, paymentRow, refundEvents, refundRows, stripePaidOrder } from './helpers';

const CAPTURED = 2440; // 2 × 10,00 € + 22 % VAT

describe('Refunds asked by staff (POST/GET /orders/{id}/refunds)', function () {
  this.timeout(60_000);
  let stripe: FakeStripe;
  beforeEach(() => {
    stripe = new FakeStripe().install();
  });
  afterEach(() => stripe.uninstall());

  it('refunds part of a Stripe payment (the amount in the body, the refund row as key), then the rest: partially_refunded, then refunded', async () => {
    const { order, buyer, paymentId, intentId } = await stripePaidOrder(stripe);
    const op = await operator();
    const first = await askRefund(order.id, { amountCents: 1000, reason: 'Una risma arrivata danneggiata' }, { token: op.token });
    expect(first.response.status).to.equal(201);
    const refund = first.data!;
    expect(refund).to.include({
      orderId: order.id,
      paymentId,
      amountCents: 1000,
      status: 'succeeded',
      reason: 'Una risma arrivata danneggiata',
      returnId: null,
      failureReason: null,
    });
    const [call] = stripe.callsTo('refunds');
    expect(call?.params).to.include({ payment_intent: intentId, amount: '1000' });
    expect(call?.idempotencyKey, 'keyed by the refund row').to.equal(`quickstock-refund-${refund.id}`);
    expect(await paymentRow(paymentId)).to.deep.equal({ status: 'partially_refunded', amount_cents: String(CAPTURED), refunded_cents: '1000' });
    const [row] = await refundRows(paymentId);
    expect(row).to.include({
      id: refund.id,
      amount_cents: '1000',
      status: 'succeeded',
      reason: 'Una risma arrivata danneggiata',
      return_id: null,
      requested_by: op.id,
    });

    const view = ok(await client(await asAdmin()).GET('/api/v1/orders/{id}', { params: { path: { id: order.id } } }));
    expect(view.refundedCents).to.equal(1000);
    expect(view.payments[0]).to.include({ status: 'partially_refunded', refundedCents: 1000 });

    const rest = await askRefund(order.id, { amountCents: CAPTURED - 1000, reason: 'Reso il resto' });
    expect(rest.data).to.include({ status: 'succeeded', amountCents: CAPTURED - 1000 });
    expect(stripe.callsTo('refunds').map((c) => c.params['amount'])).to.deep.equal(['1000', String(CAPTURED - 1000)]);
    expect(await paymentRow(paymentId)).to.include({ status: 'refunded', refunded_cents: String(CAPTURED) });
    expect(ok(await client(buyer.token).GET('/api/v1/orders/{id}', { params: { path: { id: order.id } } })).refundedCents).to.equal(CAPTURED);

    // Recorded (pending), then settled (succeeded), each with the payment's figures after it.
    const events = await refundEvents(order.id);
    expect(events.map((e) => [e.refundId, e.status, e.paymentRefundedCents, e.balanceCents])).to.deep.equal([
      [refund.id, 'pending', 1000, CAPTURED - 1000],
      [refund.id, 'succeeded', 1000, CAPTURED - 1000],
      [rest.data!.id, 'pending', CAPTURED, 0],
      [rest.data!.id, 'succeeded', CAPTURED, 0],
    ]);
    expect(events[1]).to.include({
      orderId: order.id,
      paymentId,
      amountCents: 1000,
      reason: 'Una risma arrivata danneggiata',
      returnId: null,
      failureReason: null,
    });
    await assertEventsMatchAsyncApi(order.id);

    // Staff and the order's own customer read them, oldest first; another customer gets 404.
    const listed = ok(await client(op.token).GET('/api/v1/orders/{id}/refunds', { params: { path: { id: order.id } } }));
    expect(listed.items.map((r) => [r.id, r.status])).to.deep.equal([
      [refund.id, 'succeeded'],
      [rest.data!.id, 'succeeded'],
    ]);
    expect(ok(await client(buyer.token).GET('/api/v1/orders/{id}/refunds', { params: { path: { id: order.id } } })).items).to.deep.equal(listed.items);
    const stranger = await customer();
    expect((await client(stranger.token).GET('/api/v1/orders/{id}/refunds', { params: { path: { id: order.id } } })).response.status).to.equal(404);
    // Nothing is left: 409 with a balance of 0.
    const more = await askRefund(order.id, { amountCents: 1, reason: 'ancora' });
    expect(more.response.status).to.equal(409);
    expect(more.error).to.include({ code: 'refund-exceeds-balance', balanceCents: 0 });
  });

  it('refuses a refund above the balance with 409 and the balance, recording nothing and calling Stripe not at all', async () => {
    const { order, paymentId } = await stripePaidOrder(stripe);
    ok(await askRefund(order.id, { amountCents: 440, reason: 'sconto concordato' }));
    const res = await askRefund(order.id, { amountCents: 2001, reason: 'troppo' });
    expect(res.response.status).to.equal(409);
    expect(res.response.headers.get('content-type')).to.match(/^application\/problem\+json/);
    expect(res.error).to.include({ code: 'refund-exceeds-balance', type: 'urn:quickstock:problem:refund-exceeds-balance', balanceCents: 2000 });
    expect(await refundRows(paymentId)).to.have.length(1);
    expect(stripe.callsTo('refunds')).to.have.length(1);
    expect((await paymentRow(paymentId)).refunded_cents).to.equal('440');
    // The balance itself is accepted.
    expect((await askRefund(order.id, { amountCents: 2000, reason: 'il resto' })).data?.status).to.equal('succeeded');
  });

  it('lets exactly one of two parallel partial refunds whose sum exceeds the capture through (409 for the other), the stored sum within it', async () => {
    const { order, paymentId } = await stripePaidOrder(stripe);
    const admin = await asAdmin();
    const answers = await Promise.all([
      askRefund(order.id, { amountCents: 1500, reason: 'primo' }, { token: admin }),
      askRefund(order.id, { amountCents: 1500, reason: 'secondo' }, { token: admin }),
    ]);
    expect(answers.map((a) => a.response.status).sort()).to.deep.equal([201, 409]);
    const refused = answers.find((a) => a.response.status === 409)!;
    expect(refused.error).to.include({ code: 'refund-exceeds-balance', balanceCents: CAPTURED - 1500 });
    const rows = await refundRows(paymentId);
    expect(rows.map((r) => [r.amount_cents, r.status])).to.deep.equal([['1500', 'succeeded']]);
    const [sum] = await query<{ total: string }>("SELECT coalesce(sum(amount_cents), 0) AS total FROM refunds WHERE payment_id = $1 AND status <> 'failed'", [
      paymentId,
    ]);
    expect(Number(sum!.total)).to.be.at.most(CAPTURED);
    expect(stripe.refunds.map((r) => r.amount)).to.deep.equal([1500]);
  });

  it('marks a refund Stripe refuses (402 card_declined) failed with the reason, gives its amount back, and lets a new refund succeed', async () => {
    const { order, paymentId } = await stripePaidOrder(stripe);
    stripe.faults.refunds.push({ status: 402, body: { error: { type: 'card_error', code: 'card_declined', message: 'Your card was declined.' } } });
    const refused = await askRefund(order.id, { amountCents: 2000, reason: 'reso' });
    expect(refused.response.status).to.equal(201);
    expect(refused.data).to.include({ status: 'failed', amountCents: 2000 });
    expect(refused.data?.failureReason).to.match(/^refund refused: .*declined/);
    expect(stripe.callsTo('refunds')[0]?.params).to.include({ amount: '2000' });
    expect(await paymentRow(paymentId)).to.include({ status: 'captured', refunded_cents: '0' });
    const [failedEvent] = (await refundEvents(order.id)).filter((e) => e.status === 'failed');
    expect(failedEvent).to.include({ refundId: refused.data!.id, paymentRefundedCents: 0, balanceCents: CAPTURED });
    expect(failedEvent!.failureReason).to.equal(refused.data!.failureReason);

    const again = await askRefund(order.id, { amountCents: 2000, reason: 'reso' });
    expect(again.data).to.include({ status: 'succeeded', failureReason: null });
    expect(again.data?.id).to.not.equal(refused.data?.id);
    expect(await paymentRow(paymentId)).to.include({ status: 'partially_refunded', refunded_cents: '2000' });
    expect((await refundRows(paymentId)).map((r) => r.status)).to.deep.equal(['failed', 'succeeded']);
    expect(stripe.refunds.map((r) => r.amount)).to.deep.equal([2000]);
    await assertEventsMatchAsyncApi(order.id);
  });

  it('answers a refund still pending when Stripe does not answer, and the background pass makes it once under the same key', async () => {
    const { order, paymentId } = await stripePaidOrder(stripe);
    stripe.faults.refunds.push({ status: 500 }, { status: 500 }, { status: 500 });
    const res = await askRefund(order.id, { amountCents: 700, reason: 'rimborso spese' });
    expect(res.response.status).to.equal(201);
    expect(res.data).to.include({ status: 'pending', failureReason: null });
    expect((await paymentRow(paymentId)).refunded_cents, 'a pending refund holds its amount').to.equal('700');
    await waitFor(async () => (await refundRows(paymentId))[0]?.status === 'succeeded', 25_000, 'the refund made by the retry pass');
    expect(stripe.refunds.map((r) => r.amount)).to.deep.equal([700]);
    expect(new Set(stripe.callsTo('refunds').map((c) => c.idempotencyKey))).to.deep.equal(new Set([`quickstock-refund-${res.data!.id}`]));
  });

  it('replays the same refund for the same Idempotency-Key with one Stripe call, and refuses the key with another body (422)', async () => {
    const { order, paymentId } = await stripePaidOrder(stripe);
    const admin = await asAdmin();
    const key = randomUUID();
    const first = await askRefund(order.id, { amountCents: 500, reason: 'sconto' }, { token: admin, key });
    const replay = await askRefund(order.id, { amountCents: 500, reason: 'sconto' }, { token: admin, key });
    expect(replay.response.status).to.equal(201);
    expect(replay.response.headers.get('idempotent-replayed')).to.equal('true');
    expect(replay.data).to.deep.equal(first.data);
    expect(replay.data?.status).to.equal('succeeded');
    expect(stripe.callsTo('refunds')).to.have.length(1);
    expect(await refundRows(paymentId)).to.have.length(1);
    const other = await askRefund(order.id, { amountCents: 501, reason: 'sconto' }, { token: admin, key });
    expect(other.response.status).to.equal(422);
    expect(other.error).to.include({ code: 'idempotency-key-reused' });
    expect(await refundRows(paymentId)).to.have.length(1);
  });

  it('refuses a customer (403), even for its own order, and records nothing', async () => {
    const { order, buyer, paymentId } = await stripePaidOrder(stripe);
    const res = await askRefund(order.id, { amountCents: 100, reason: 'voglio i soldi' }, { token: buyer.token });
    expect(res.response.status).to.equal(403);
    expect(res.error).to.include({ code: 'forbidden' });
    expect(await refundRows(paymentId)).to.have.length(0);
    expect(stripe.callsTo('refunds')).to.have.length(0);
  });

  it('refuses bad input with a 400 problem naming the field, never a 500, and records nothing', async () => {
    const { order, paymentId } = await stripePaidOrder(stripe);
    const admin = await asAdmin();
    const bodies: [string, unknown, string][] = [
      ['negative', { amountCents: -100, reason: 'x' }, 'body.amountCents'],
      ['zero', { amountCents: 0, reason: 'x' }, 'body.amountCents'],
      ['fractional', { amountCents: 10.5, reason: 'x' }, 'body.amountCents'],
      ['over 2^53', { amountCents: 9007199254740992, reason: 'x' }, 'body.amountCents'],
      ['far over 2^53', { amountCents: 1e300, reason: 'x' }, 'body.amountCents'],
      ['a string', { amountCents: '100', reason: 'x' }, 'body.amountCents'],
      ['null', { amountCents: null, reason: 'x' }, 'body.amountCents'],
      ['no reason', { amountCents: 100 }, 'body.reason'],
      ['a blank reason', { amountCents: 100, reason: '   ' }, 'body.reason'],
      ['an empty reason', { amountCents: 100, reason: '' }, 'body.reason'],
      ['a reason too long', { amountCents: 100, reason: 'x'.repeat(501) }, 'body.reason'],
      ['an unknown property', { amountCents: 100, reason: 'x', status: 'succeeded' }, 'body'],
      ['a returnId that is not a uuid', { amountCents: 100, reason: 'x', returnId: 'R-2026-000123' }, 'body.returnId'],
      ['an empty body', {}, 'body'],
    ];
    for (const [what, body, path] of bodies) {
      const res = await rawRequest('POST', `/api/v1/orders/${order.id}/refunds`, { token: admin, body, headers: { 'idempotency-key': randomUUID() } });
      expect(res.status, what).to.equal(400);
      expect(problemOf(res).code, what).to.equal('validation-failed');
      expect(
        problemOf(res).errors?.some((e) => e.path.startsWith(path)),
        `${what}: ${JSON.stringify(problemOf(res).errors)}`,
      ).to.equal(true);
    }
    const malformed = await rawRequest('POST', `/api/v1/orders/${order.id}/refunds`, {
      token: admin,
      rawBody: '{"amountCents": 1',
      headers: { 'content-type': 'application/json', 'idempotency-key': randomUUID() },
    });
    expect(malformed.status).to.equal(400);
    // No such return (returns are not wired yet: none is known).
    const unknown = await askRefund(order.id, { amountCents: 100, reason: 'reso', returnId: randomUUID() }, { token: admin });
    expect(unknown.response.status).to.equal(400);
    expect(unknown.error).to.include({ code: 'unknown-return' });
    expect(await refundRows(paymentId)).to.have.length(0);
    expect(stripe.callsTo('refunds')).to.have.length(0);
    expect(await paymentRow(paymentId)).to.include({ status: 'captured', refunded_cents: '0' });
  });

  it('answers 409 nothing-to-refund for an order with no captured payment, and 404 for an order that does not exist', async () => {
    const { order } = await unpaidOrder();
    const res = await askRefund(order.id, { amountCents: 100, reason: 'x' });
    expect(res.response.status).to.equal(409);
    expect(res.error).to.include({ code: 'nothing-to-refund' });
    expect((await askRefund(randomUUID(), { amountCents: 100, reason: 'x' })).response.status).to.equal(404);
    expect(ok(await client(await asAdmin()).GET('/api/v1/orders/{id}/refunds', { params: { path: { id: order.id } } })).items).to.deep.equal([]);
  });

  it('records the refund of a manual payment at once (staff pay it back themselves)', async () => {
    const buyer = await customer();
    const product = await createProduct({ unitPriceCents: 1000, vatRate: 22, initialStock: 10 });
    const order = await placedOrder(buyer.token, [{ productId: product.id, quantity: 2 }]);
    const admin = await asAdmin();
    const payment = ok(
      await client(admin).POST('/api/v1/orders/{id}/payments', { params: { path: { id: order.id } }, body: { provider: 'manual', reference: 'bonifico' } }),
    );
    const res = await askRefund(order.id, { amountCents: 1220, reason: 'metà ordine' }, { token: admin });
    expect(res.data).to.include({ status: 'succeeded', paymentId: payment.id, amountCents: 1220 });
    expect(await paymentRow(payment.id)).to.include({ status: 'partially_refunded', refunded_cents: '1220' });
    expect(stripe.callsTo('refunds')).to.have.length(0);
    // The order's own status does not change.
    expect(ok(await client(admin).GET('/api/v1/orders/{id}', { params: { path: { id: order.id } } }))).to.include({ status: 'paid', refundedCents: 1220 });
  });

  it('gives the cancel paths their reasons: "ordine annullato" for a cancel', async () => {
    const { order, paymentId } = await stripePaidOrder(stripe);
    ok(await client(await asAdmin()).POST('/api/v1/orders/{id}/cancel', { params: { path: { id: order.id } }, body: { reason: 'cliente' } }));
    expect((await refundRows(paymentId)).map((r) => [r.amount_cents, r.status, r.reason, r.requested_by])).to.deep.equal([
      [String(CAPTURED), 'succeeded', 'ordine annullato', null],
    ]);
    expect((await refundEvents(order.id)).map((e) => [e.status, e.reason])).to.deep.equal([
      ['pending', 'ordine annullato'],
      ['succeeded', 'ordine annullato'],
    ]);
  });

  describe('events and mail', () => {
    const open: TestSocket[] = [];
    afterEach(() => {
      for (const s of open.splice(0)) s.close();
    });

    it('sends refund.updated to staff and to the order’s customer (not another), matching the AsyncAPI message', async () => {
      const { order, buyer } = await stripePaidOrder(stripe);
      const [op, stranger] = await Promise.all([operator(), customer()]);
      const sockets = await Promise.all([op, buyer, stranger].map((u) => connectSocket({ token: u.token })));
      open.push(...sockets);
      const [staffSocket, buyerSocket, otherSocket] = sockets as [TestSocket, TestSocket, TestSocket];
      const refund = ok(await askRefund(order.id, { amountCents: 300, reason: 'reso' }));
      const settled = (e: { name: string; payload: any }) =>
        e.name === 'refund.updated' && e.payload?.data?.refundId === refund.id && e.payload.data.status === 'succeeded';
      for (const socket of [staffSocket, buyerSocket]) {
        const event = await socket.next(settled, 10_000, 'refund.updated (succeeded)');
        assertMatchesAsyncApi(event);
        expect(event.payload.data).to.include({ orderId: order.id, amountCents: 300, paymentRefundedCents: 300, balanceCents: CAPTURED - 300 });
        expect(
          socket.received.some((e) => e.name === 'refund.updated' && e.payload?.data?.refundId === refund.id && e.payload.data.status === 'pending'),
        ).to.equal(true);
      }
      // Staff heard it, so the other customer would have by now: it hears nothing of this order.
      expect(otherSocket.received.filter((e) => e.name === 'refund.updated')).to.deep.equal([]);
    });

    it('mails "Rimborso effettuato" once per refund that succeeded (none for a failed one), and once for a cancel', async () => {
      const { order } = await stripePaidOrder(stripe);
      const mails = (orderId: string) => query<{ id: string }>("SELECT id FROM email_messages WHERE order_id = $1 AND template = 'refund_made'", [orderId]);
      ok(await askRefund(order.id, { amountCents: 400, reason: 'Risma danneggiata' }));
      stripe.faults.refunds.push({ status: 402, body: { error: { type: 'card_error', code: 'card_declined', message: 'declined' } } });
      expect(ok(await askRefund(order.id, { amountCents: 400, reason: 'rifiutato' })).status).to.equal('failed');
      ok(await askRefund(order.id, { amountCents: 600, reason: 'Penne mancanti' }));
      await waitFor(async () => (await mails(order.id)).length === 2, 10_000, 'two refund mails');
      const sent = await h().smtp.waitFor(2, (m) => String(m.parsed.subject) === `Rimborso per l'ordine ${order.number}`, 10_000);
      const texts = sent.map((m) => String(m.parsed.text)).sort();
      expect(texts.some((t) => t.includes('Abbiamo rimborsato 4,00 €') && t.includes('Motivo: Risma danneggiata'))).to.equal(true);
      expect(
        texts.some(
          (t) =>
            t.includes('Abbiamo rimborsato 6,00 €') &&
            t.includes('Motivo: Penne mancanti') &&
            t.includes('finora ti abbiamo rimborsato 10,00 € dei 24,40 € pagati'),
        ),
      ).to.equal(true);

      // A cancel's refund: exactly one mail.
      const cancelled = await stripePaidOrder(stripe);
      ok(await client(await asAdmin()).POST('/api/v1/orders/{id}/cancel', { params: { path: { id: cancelled.order.id } } }));
      await waitFor(async () => (await mails(cancelled.order.id)).length === 1, 10_000, 'the cancel’s refund mail');
      // Every later event of the order has been fanned out past it: still one.
      await waitFor(
        async () => (await query("SELECT 1 FROM email_messages WHERE order_id = $1 AND template = 'order_cancelled'", [cancelled.order.id])).length === 1,
        10_000,
        'the cancelled mail',
      );
      expect(await mails(cancelled.order.id)).to.have.length(1);
    });
  });
});
