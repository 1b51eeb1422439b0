import { expect } from 'chai';
import pg from 'pg';
import { asAdmin, createProduct, customer, ok, placedOrder } from '../../support/api';
import { client } from '../../support/client';
import { query } from '../../support/database';
import { h } from '../../support/hooks';
import { currentRequestId } from '../../../src/platform/logger';
import { preparedOrder, shipManually } from '../fulfilment/helpers';
import { askReturn, receiveReturn, stepReturn } from '../returns/helpers';
import { askRefund } from '../refunds/helpers';
import { PaymentModel, RefundModel, toPaymentView } from '../../../src/payments';
import { ShipmentLineModel, ShipmentModel, toShipmentView, type ShipmentView } from '../../../src/shipping';
import { orderRepository } from '../../../src/orders/order.repository';
import { returnStatusOf, toOrderLine, toOrderView, type OrderView } from '../../../src/orders/order-view';
import type { PaymentRecord } from '../../../src/payments/payment.repository';
import type { ShipmentRecord } from '../../../src/shipping/shipment.repository';

/**
 * The order view as `getOrder` composed it before the one-statement read: the same six to eight
 * statements (the order, its lines, its payments, its shipments and their lines, its succeeded
 * refunds, its customer) through the models, and the same mappers. Kept here only as the reference.
 */
async function multiStatementView(id: string): Promise<OrderView> {
  const { db, users } = h().server.services;
  const order = (await orderRepository.find(db, id))!;
  const items = await orderRepository.items(db, id);
  const byAge: [string, string][] = [
    ['createdAt', 'ASC'],
    ['id', 'ASC'],
  ];
  const payments = (await PaymentModel.findAll({ where: { orderId: id }, order: byAge })).map((p) => toPaymentView(p.get({ plain: true }) as PaymentRecord));
  const shipmentRows = (await ShipmentModel.findAll({ where: { orderId: id }, order: byAge })).map((s) => s.get({ plain: true }) as ShipmentRecord);
  const lines = shipmentRows.length
    ? await ShipmentLineModel.findAll({ where: { shipmentId: shipmentRows.map((s) => s.id) }, order: [['productId', 'ASC']] })
    : [];
  const shipments: ShipmentView[] = shipmentRows.map((s) =>
    toShipmentView({ ...s, lines: lines.filter((l) => l.shipmentId === s.id).map((l) => ({ productId: l.productId, quantity: l.quantity })) }),
  );
  const refunded = payments.length
    ? Number((await RefundModel.sum('amountCents', { where: { paymentId: payments.map((p) => p.id), status: 'succeeded' } })) ?? 0)
    : 0;
  const customer = (await users.summaries([order.customerId])).get(order.customerId)!;
  return toOrderView(order, customer, items.map(toOrderLine), payments, shipments, refunded, returnStatusOf(items));
}

/** The answer's bytes, as the client gets them (key order included). */
async function answerText(
  method: 'GET' | 'POST',
  path: string,
  token: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; text: string }> {
  const res = await fetch(`${h().baseUrl}${path}`, { method, headers: { authorization: `Bearer ${token}`, ...headers } });
  return { status: res.status, text: await res.text() };
}

/** The SQL statements that the request `requestId` names sends (the service runs in this process; background work is left out). */
async function statementsOf(requestId: string, work: () => Promise<unknown>): Promise<string[]> {
  const seen: string[] = [];
  const original = pg.Client.prototype.query;
  pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
    const first = args[0];
    if (currentRequestId() === requestId) seen.push(typeof first === 'string' ? first : String((first as { text?: string }).text ?? ''));
    return (original as (...a: unknown[]) => unknown).apply(this, args);
  } as typeof original;
  try {
    await work();
  } finally {
    pg.Client.prototype.query = original;
  }
  return seen;
}

describe('GET /orders/{id}: the one-statement read', function () {
  this.timeout(90_000);

  async function expectSameAsMultiStatement(orderId: string, token: string): Promise<OrderView> {
    const answer = await answerText('GET', `/api/v1/orders/${orderId}`, token);
    expect(answer.status).to.equal(200);
    const reference = await multiStatementView(orderId);
    expect(JSON.parse(answer.text)).to.deep.equal(reference);
    // Byte for byte: same keys in the same order, same numbers, same dates.
    expect(answer.text).to.equal(JSON.stringify(reference));
    return reference;
  }

  it('answers an order with lines, payments, partial shipments, refunds and a return exactly as the multi-statement read did', async () => {
    const admin = await asAdmin();
    const { buyer, order, products } = await preparedOrder([
      { quantity: 3, unitPriceCents: 449 },
      { quantity: 2, unitPriceCents: 1999, vatRate: 10 },
      { quantity: 4 },
    ]);
    const [p0, p1, p2] = products.map((p) => p.id) as [string, string, string];
    // A failed attempt beside the captured payment, made at the same instant (the id decides the order),
    // and a shipment through a carrier with a rate: the columns the manual path leaves null.
    const [captured] = await query<{ id: string; created_at: Date }>('SELECT id, created_at FROM payments WHERE order_id = $1', [order.id]);
    await query(
      `INSERT INTO payments (order_id, provider, status, amount_cents, currency, reference, provider_payment_id, failure_reason, created_at, updated_at)
       VALUES ($1, 'stripe', 'failed', 12345, 'EUR', NULL, $3, 'card_declined', $2, $2)`,
      [order.id, captured!.created_at, `pi_read_${order.id}`],
    );
    ok(
      await shipManually(order.id, [
        { productId: p2, quantity: 1 },
        { productId: p0, quantity: 2 },
      ]),
    );
    ok(await shipManually(order.id, [{ productId: p1, quantity: 1 }]));
    await query(
      `UPDATE shipments SET rate_cents = 790, rate_currency = 'EUR', service = 'Express', tracking_status = 'in_transit', label_url = 'https://labels.test/1.pdf',
              created_at = date_trunc('second', created_at) + interval '123999 microseconds'
        WHERE order_id = $1 AND id = (SELECT id FROM shipments WHERE order_id = $1 ORDER BY created_at LIMIT 1)`,
      [order.id],
    );
    ok(await askRefund(order.id, { amountCents: 150, reason: 'sconto' }));
    ok(await askRefund(order.id, { amountCents: 75, reason: 'sconto bis' }));
    // A refund that failed counts nowhere.
    await query(`INSERT INTO refunds (payment_id, customer_id, amount_cents, status, reason) VALUES ($1, $2, 5, 'failed', 'prova')`, [captured!.id, buyer.id]);
    await expectSameAsMultiStatement(order.id, buyer.token);

    // Deliver what shipped, then send part of it back: the return status and the return's refund.
    const rest = ok(
      await client(admin).POST('/api/v1/orders/{id}/cancel-remaining', {
        params: { path: { id: order.id } },
        body: { reason: 'il resto non arriva' },
        headers: { 'idempotency-key': `read-${order.id}` },
      }),
    );
    // The answer after a change is read inside the change's transaction: the same view.
    expect(rest).to.deep.equal(await multiStatementView(order.id));
    ok(await client(admin).POST('/api/v1/orders/{id}/status', { params: { path: { id: order.id } }, body: { status: 'delivered' } }));
    const made = ok(await askReturn(buyer.token, order.id, [{ productId: p0, quantity: 1, reason: 'damaged' }]));
    ok(await stepReturn(admin, made.id, 'approve'));
    ok(await receiveReturn(admin, made.id, [{ productId: p0, receivedQuantity: 1, restockQuantity: 1 }]));
    ok(await askRefund(order.id, { amountCents: 100, reason: 'reso', returnId: made.id }));
    const view = await expectSameAsMultiStatement(order.id, admin);
    expect(view.returnStatus).to.equal('partially_returned');
    expect(view.payments).to.have.length(2);
    expect(view.shipments.map((s) => s.lines.length)).to.deep.equal([2, 1]);
    expect(view.refundedCents).to.be.greaterThan(325);
  });

  it('answers an unpaid order (no payments, no shipments) and a cancelled one exactly as before', async () => {
    const buyer = await customer();
    const product = await createProduct({ initialStock: 10, unitPriceCents: 333 });
    const unpaid = await placedOrder(buyer.token, [{ productId: product.id, quantity: 2 }]);
    const view = await expectSameAsMultiStatement(unpaid.id, buyer.token);
    expect(view).to.include({ refundedCents: 0, returnStatus: 'none' });
    expect(view.reservedUntil).to.be.a('string');
    ok(await client(buyer.token).POST('/api/v1/orders/{id}/cancel', { params: { path: { id: unpaid.id } } }));
    await expectSameAsMultiStatement(unpaid.id, buyer.token);
  });

  it('reads the order in one statement (besides the token check) and still hides another customer’s order with 404', async () => {
    const { buyer, order } = await preparedOrder([{ quantity: 1 }, { quantity: 2 }]);
    ok(await shipManually(order.id, [{ productId: order.items[0]!.productId, quantity: 1 }]));
    const requestId = `order-read-${order.id}`;
    const statements = await statementsOf(requestId, () => answerText('GET', `/api/v1/orders/${order.id}`, buyer.token, { 'x-request-id': requestId }));
    // The token check (auth's, when not cached) is users' one statement; the order read is the other.
    expect(statements.filter((s) => !/FROM users u WHERE u\.id = \$1$/.test(s.trim()))).to.have.length(1);
    const stranger = await customer();
    expect((await answerText('GET', `/api/v1/orders/${order.id}`, stranger.token)).status).to.equal(404);
  });
});
