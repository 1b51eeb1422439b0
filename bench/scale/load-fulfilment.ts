/**
 * What the loaded orders' fulfilment left behind (`LoadSize.fulfilment`, write mode), so that the
 * tables the shipment, return and refund paths write to are as large as the order tables:
 *
 * - a captured manual payment of each paid, in-preparation, shipped or delivered order (88 % of the
 *   orders), of its gross;
 * - a manual shipment (BRT) of each shipped or delivered order (82 %), `in_transit` or `delivered`,
 *   with one shipment line per order line (every unit; load.ts counts them shipped on the lines);
 * - for 1 % of the orders (delivered ones, `hasReturn`), a closed customer return of one unit of
 *   line 1, received and scrapped, and a succeeded refund of that unit's gross against the payment
 *   (`partially_refunded`, its `refunded_cents`; load.ts counts the unit returned on the line).
 *
 * Rows are pure functions of the order's ordinal, like the rest of the load; the refunds trigger
 * does not fire in replica mode, so the balances it keeps are written directly.
 */
import type { Client } from 'pg';
import { chunks, hasReturn, timed } from './load-steps';

/** The tables written here (their secondary indexes are dropped for the load and rebuilt after it). */
export const FULFILMENT_TABLES = ['payments', 'shipments', 'shipment_lines', 'returns', 'return_lines', 'refunds'];

/** Order g's row and its first line, for the statements below (`$1`..`$2`: the chunk of ordinals). */
const ORDERS_OF_CHUNK = `generate_series($1::int, $2::int) g JOIN orders o ON o.id = md5('qs-bench-order-' || g)::uuid`;
/** One unit's gross of order line `i`, rounded as the order rounds a line (VAT half up on the net). */
const UNIT_GROSS = `(i.unit_price_cents + (i.unit_price_cents * i.vat_rate + 50) / 100)`;
const RETURNED = `o.status = 'delivered' AND ${hasReturn('g')}`;

export async function loadFulfilment(db: Client, orders: number, adminId: string, log: (line: string) => void): Promise<void> {
  await timed(
    'payments',
    () =>
      chunks(orders, (from, to) =>
        db.query(
          `INSERT INTO payments (id, order_id, provider, status, amount_cents, currency, reference, refunded_cents, created_at, updated_at)
           SELECT md5('qs-bench-payment-' || g)::uuid, o.id, 'manual', CASE WHEN r.cents > 0 THEN 'partially_refunded' ELSE 'captured' END,
                  o.gross_cents, 'EUR', 'Bonifico ' || o.number, r.cents, o.created_at + interval '2 hours', o.created_at + interval '2 hours'
             FROM ${ORDERS_OF_CHUNK}
             JOIN order_items i ON i.order_id = o.id AND i.line_no = 1
            CROSS JOIN LATERAL (SELECT CASE WHEN ${RETURNED} THEN ${UNIT_GROSS} ELSE 0 END AS cents) r
            WHERE o.status IN ('paid', 'in_preparation', 'shipped', 'delivered')`,
          [from, to],
        ),
      ),
    log,
  );

  await timed(
    'shipments and their lines',
    () =>
      chunks(orders, async (from, to) => {
        await db.query(
          `INSERT INTO shipments (id, order_id, carrier, carrier_name, tracking_code, status, created_at, updated_at)
           SELECT md5('qs-bench-shipment-' || g)::uuid, o.id, 'manual', 'BRT', lpad(g::text, 15, '0'),
                  CASE WHEN o.status = 'delivered' THEN 'delivered' ELSE 'in_transit' END, o.created_at + interval '4 hours', o.updated_at
             FROM ${ORDERS_OF_CHUNK}
            WHERE o.status IN ('shipped', 'delivered')`,
          [from, to],
        );
        await db.query(
          `INSERT INTO shipment_lines (shipment_id, product_id, quantity)
           SELECT md5('qs-bench-shipment-' || g)::uuid, i.product_id, i.quantity
             FROM ${ORDERS_OF_CHUNK}
             JOIN order_items i ON i.order_id = o.id
            WHERE o.status IN ('shipped', 'delivered')`,
          [from, to],
        );
      }),
    log,
  );

  // Numbered as the service numbers returns (R-YYYY-NNNNNN), by the order's ordinal; the sequence then starts after them.
  await timed(
    'returns with their lines and refunds',
    () =>
      chunks(orders, async (from, to) => {
        await db.query(
          `INSERT INTO returns (id, number, order_id, order_number, customer_id, status, origin, created_by, proposed_cents, refunded_cents, created_at, updated_at)
           SELECT md5('qs-bench-return-' || g)::uuid, 'R-' || to_char(o.created_at, 'YYYY') || '-' || lpad(g::text, greatest(6, length(g::text)), '0'),
                  o.id, o.number, o.customer_id, 'closed', 'customer', o.customer_id, ${UNIT_GROSS}, ${UNIT_GROSS},
                  o.created_at + interval '10 days', o.created_at + interval '12 days'
             FROM ${ORDERS_OF_CHUNK}
             JOIN order_items i ON i.order_id = o.id AND i.line_no = 1
            WHERE ${RETURNED}`,
          [from, to],
        );
        await db.query(
          `INSERT INTO return_lines (return_id, product_id, sku, name, quantity, reason, received_quantity, restocked_quantity, scrapped_quantity,
                                     unit_gross_cents, refund_cents)
           SELECT md5('qs-bench-return-' || g)::uuid, i.product_id, i.sku, i.name, 1, 'damaged', 1, 0, 1, ${UNIT_GROSS}, ${UNIT_GROSS}
             FROM ${ORDERS_OF_CHUNK}
             JOIN order_items i ON i.order_id = o.id AND i.line_no = 1
            WHERE ${RETURNED}`,
          [from, to],
        );
        await db.query(
          `INSERT INTO refunds (payment_id, customer_id, amount_cents, status, attempts, reason, return_id, requested_by, created_at, updated_at)
           SELECT md5('qs-bench-payment-' || g)::uuid, o.customer_id, ${UNIT_GROSS}, 'succeeded', 1, 'Reso ricevuto: articolo danneggiato',
                  md5('qs-bench-return-' || g)::uuid, $3::uuid, o.created_at + interval '12 days', o.created_at + interval '12 days'
             FROM ${ORDERS_OF_CHUNK}
             JOIN order_items i ON i.order_id = o.id AND i.line_no = 1
            WHERE ${RETURNED}`,
          [from, to, adminId],
        );
      }),
    log,
  );
  await db.query(`SELECT setval('return_number_seq', $1)`, [orders + 1]);
}
