import { jsonArraySql } from '../platform/db/json-sql';

/**
 * The other modules' parts of the order read: each an SQL expression over an SQL expression of
 * ours (`o.id`, `o.customer_id`), written by the module that owns the tables it names (payments,
 * shipping, users through orders' `CustomerDirectory` port), so this file names only orders' tables.
 */
export interface OrderReadParts {
  /** A JSON array of PaymentView, oldest first. */
  payments(orderId: string): string;
  /** A JSON array of ShipmentView with their lines, oldest first. */
  shipments(orderId: string): string;
  /** Σ of the order's succeeded refunds in cents. */
  refundedCents(orderId: string): string;
  /** A JSON CustomerSummary, null for no such user. */
  customer(customerId: string): string;
}

/** An order line as JSON in `toOrderLine`'s keys and order. */
const LINE = `json_build_object('productId', l.product_id, 'sku', l.sku, 'name', l.name, 'quantity', l.quantity,
  'unitPriceCents', l.unit_price_cents, 'vatRate', l.vat_rate, 'netCents', l.net_cents, 'vatCents', l.vat_cents,
  'grossCents', l.gross_cents, 'shippedQuantity', l.shipped_quantity, 'cancelledQuantity', l.cancelled_quantity)`;

/**
 * `GET /orders/{id}` (and the view answered after each change) as one statement over `$1`, the
 * order's id: the orders row, its lines in line order with the units shipped and returned (for the
 * return status), and the other modules' parts, each a JSON aggregate answered by an index on the
 * order's id. Six to eight round trips before (order, lines, payments, shipments and their lines,
 * the payments again and their refunds, the customer): see docs/performance.md.
 */
export function orderReadSql(parts: OrderReadParts): string {
  return `SELECT o.*, i.lines, i.shipped_units, i.returned_units,
                 ${parts.payments('o.id')} AS payments,
                 ${parts.shipments('o.id')} AS shipments,
                 ${parts.refundedCents('o.id')} AS refunded_cents,
                 ${parts.customer('o.customer_id')} AS customer
            FROM orders o
           CROSS JOIN LATERAL (
                 SELECT ${jsonArraySql(LINE, 'l.line_no')} AS lines,
                        coalesce(sum(l.shipped_quantity), 0)::int AS shipped_units,
                        coalesce(sum(l.returned_quantity), 0)::int AS returned_units
                   FROM order_items l WHERE l.order_id = o.id) i
           WHERE o.id = $1`;
}
