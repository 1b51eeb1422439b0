import { expect } from 'chai';
import { asAdmin, ok } from '../../support/api';
import { client } from '../../support/client';
import { query } from '../../support/database';
import { lineAmounts } from '../../../src/orders';
import { askRefund } from '../refunds/helpers';
import { askReturn, deliveredOrder, receiveReturn, stepReturn } from './helpers';

/** The link of issue 28's two halves, over HTTP: a refund naming a return stays within what the return's received units are worth. */
describe('refunds of a return', function () {
  this.timeout(60_000);

  function refusal(res: { error?: unknown; response: Response }): { status: number; code?: string; returnBalanceCents?: number } {
    const error = res.error as { code?: string; returnBalanceCents?: number } | undefined;
    return {
      status: res.response.status,
      code: error?.code,
      ...(error?.returnBalanceCents === undefined ? {} : { returnBalanceCents: error.returnBalanceCents }),
    };
  }

  it('refuses a refund of a return not yet received, then pays back at most its received units’ gross, and the return shows what went back', async () => {
    const { buyer, order, products } = await deliveredOrder([{ quantity: 3, unitPriceCents: 449 }]);
    const admin = await asAdmin();
    const made = ok(await askReturn(buyer.token, order.id, [{ productId: products[0]!.id, quantity: 3, reason: 'damaged' }]));
    ok(await stepReturn(admin, made.id, 'approve'));
    // Approved is not received: nothing of it may be paid back yet.
    expect(refusal(await askRefund(order.id, { amountCents: 100, reason: 'reso', returnId: made.id }))).to.deep.equal({
      status: 409,
      code: 'return-not-received',
    });

    const received = ok(await receiveReturn(admin, made.id, [{ productId: products[0]!.id, receivedQuantity: 2, restockQuantity: 2 }]));
    const proposed = lineAmounts({ quantity: 2, unitPriceCents: 449, vatRate: 22 }).grossCents;
    expect(received.refund).to.deep.equal({ proposedCents: proposed, refundedCents: 0 });

    // Above the proposal: refused with what the return still proposes; nothing stored.
    expect(refusal(await askRefund(order.id, { amountCents: proposed + 1, reason: 'reso', returnId: made.id }))).to.deep.equal({
      status: 409,
      code: 'refund-exceeds-return',
      returnBalanceCents: proposed,
    });
    expect(await query('SELECT 1 FROM refunds WHERE return_id = $1', [made.id])).to.have.length(0);

    // Lowered by staff: paid back (a manual payment's refund is recorded succeeded), named on the row and the return.
    const first = ok(await askRefund(order.id, { amountCents: proposed - 100, reason: 'reso R, 2 pezzi', returnId: made.id }));
    expect(first).to.include({ status: 'succeeded', returnId: made.id, amountCents: proposed - 100 });
    const read = ok(await client(buyer.token).GET('/api/v1/returns/{id}', { params: { path: { id: made.id } } }));
    expect(read.refund).to.deep.equal({ proposedCents: proposed, refundedCents: proposed - 100 });

    // What is left of the proposal, and no more.
    expect(refusal(await askRefund(order.id, { amountCents: 101, reason: 'reso', returnId: made.id }))).to.deep.equal({
      status: 409,
      code: 'refund-exceeds-return',
      returnBalanceCents: 100,
    });
    ok(await askRefund(order.id, { amountCents: 100, reason: 'reso, saldo', returnId: made.id }));
    const rows = await query<{ amount_cents: string; status: string }>('SELECT amount_cents, status FROM refunds WHERE return_id = $1 ORDER BY created_at', [
      made.id,
    ]);
    expect(rows).to.deep.equal([
      { amount_cents: String(proposed - 100), status: 'succeeded' },
      { amount_cents: '100', status: 'succeeded' },
    ]);
    const order_ = ok(await client(admin).GET('/api/v1/orders/{id}', { params: { path: { id: order.id } } }));
    expect(order_).to.include({ refundedCents: proposed, returnStatus: 'partially_returned' });
  });

  it('answers 400 unknown-return for another order’s return, and the database refuses a refund naming no return', async () => {
    const one = await deliveredOrder([{ quantity: 1, unitPriceCents: 1000 }]);
    const other = await deliveredOrder([{ quantity: 1, unitPriceCents: 1000 }]);
    const admin = await asAdmin();
    const theirs = ok(await askReturn(other.buyer.token, other.order.id, [{ productId: other.products[0]!.id, quantity: 1, reason: 'not_needed' }]));
    ok(await stepReturn(admin, theirs.id, 'approve'));
    ok(await receiveReturn(admin, theirs.id, [{ productId: other.products[0]!.id, receivedQuantity: 1, restockQuantity: 1 }]));
    expect(refusal(await askRefund(one.order.id, { amountCents: 100, reason: 'reso', returnId: theirs.id }))).to.deep.equal({
      status: 400,
      code: 'unknown-return',
    });
    const [payment] = await query<{ id: string; customer_id: string }>(
      'SELECT id, (SELECT customer_id FROM orders WHERE id = $1) AS customer_id FROM payments WHERE order_id = $1',
      [one.order.id],
    );
    let refused: unknown;
    try {
      await query(
        "INSERT INTO refunds (payment_id, customer_id, amount_cents, status, reason, return_id) VALUES ($1, $2, 1, 'pending', 'x', gen_random_uuid())",
        [payment!.id, payment!.customer_id],
      );
    } catch (err) {
      refused = err;
    }
    expect((refused as { code?: string } | undefined)?.code).to.equal('23503');
  });
});
