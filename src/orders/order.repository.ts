import type { DbTarget, Tx } from '../platform/db/db';
import { sql, sqlOne, transactionOf } from '../platform/db/sql';
import { OrderItemModel } from './order-item.model';
import { OrderStatusHistoryModel } from './order-status-history.model';
import { orderListSql, type OrderListParams } from './order-list.sql';
import type { Actor, Schemas } from '../platform/http/contract';
import type { OrderStatus } from './order-state-machine';
import type { PricedLine, Totals } from './order-totals';
import type { LineCounts } from './order-fulfilment';
import type { ReservedLine } from '../inventory';
import { eventRecordedIn, recordEventSql, type EventPayloads } from '../platform/events';

/** An order as the repository hands it out (bigint amounts as text). */
export interface OrderRecord {
  id: string;
  number: string;
  customerId: string;
  status: OrderStatus;
  currency: 'EUR';
  netCents: string;
  vatCents: string;
  grossCents: string;
  shippingAddress: Schemas['Address'];
  notes: string | null;
  reservedUntil: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

/** An order of a list page, with its number of lines. */
export interface OrderListRecord extends OrderRecord {
  itemCount: number;
}

/** An orders row as stored (snake_case, bigint as text): only this file sees it. */
interface OrderRow {
  id: string;
  number: string;
  customer_id: string;
  status: OrderStatus;
  currency: 'EUR';
  net_cents: string;
  vat_cents: string;
  gross_cents: string;
  shipping_address: Schemas['Address'];
  notes: string | null;
  reserved_until: Date | null;
  created_at: Date;
  updated_at: Date;
}

function toOrderRecord(row: OrderRow): OrderRecord {
  return {
    id: row.id,
    number: row.number,
    customerId: row.customer_id,
    status: row.status,
    currency: row.currency,
    netCents: row.net_cents,
    vatCents: row.vat_cents,
    grossCents: row.gross_cents,
    shippingAddress: row.shipping_address,
    notes: row.notes,
    reservedUntil: row.reserved_until,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

const toOrderRecordIfAny = (row: OrderRow | undefined): OrderRecord | undefined => row && toOrderRecord(row);

/** An order line as the repository hands it out (bigint amounts as text). */
export interface ItemRecord {
  productId: string;
  sku: string;
  name: string;
  quantity: number;
  unitPriceCents: number;
  vatRate: number;
  netCents: string;
  vatCents: string;
  grossCents: string;
  shippedQuantity: number;
  cancelledQuantity: number;
  returnedQuantity: number;
  returnHeldQuantity: number;
}

export interface HistoryRecord {
  fromStatus: OrderStatus | null;
  toStatus: OrderStatus;
  actorId: string | null;
  actorRole: Schemas['OrderHistoryEntry']['actorRole'];
  reason: string | null;
  at: Date;
}

/** The order read in one statement (`orderReadSql`): the order with everything its view shows. */
export interface OrderReadRecord {
  order: OrderRecord;
  lines: Schemas['OrderLine'][];
  /** Σ of the lines' shipped and returned units (the return status). */
  shippedUnits: number;
  returnedUnits: number;
  payments: Schemas['Payment'][];
  shipments: Schemas['Shipment'][];
  refundedCents: number;
  customer: Schemas['CustomerSummary'] | null;
}

interface OrderReadRow extends OrderRow {
  lines: Schemas['OrderLine'][];
  shipped_units: number;
  returned_units: number;
  payments: Schemas['Payment'][];
  shipments: Schemas['Shipment'][];
  /** bigint, as text. */
  refunded_cents: string;
  customer: Schemas['CustomerSummary'] | null;
}

/** A reserved line priced, as placement writes it. */
export type PlacedLine = ReservedLine & Totals;

/** orders, order_items and order_status_history: the only SQL that names them. */
export const orderRepository = {
  /**
   * The order, its lines, its first history row and its `order.created` event (the outbox's own SQL,
   * `recordEventSql`). Raw SQL on the hot path (make bench: order placement): one statement, one
   * round trip instead of three model inserts and the outbox insert.
   */
  async insertPlaced(
    tx: Tx,
    o: {
      customerId: string;
      totals: Totals;
      shippingAddress: Schemas['Address'];
      notes: string | null;
      ttlMinutes: number;
      actor: Actor;
      lines: readonly PlacedLine[];
    },
  ): Promise<OrderRecord> {
    const created: Omit<EventPayloads['order.created'], 'orderId' | 'number'> = { customerId: o.customerId, status: 'pending_payment', totals: o.totals };
    const row = await sqlOne<OrderRow>(
      tx,
      `WITH o AS (
         INSERT INTO orders (number, customer_id, status, net_cents, vat_cents, gross_cents, shipping_address, notes, reserved_until, created_by)
         -- at least 6 digits: lpad alone would cut the millionth order's number to 6 and repeat it
         VALUES ((SELECT 'QS-' || to_char(now(), 'YYYY') || '-' || lpad(n::text, greatest(6, length(n::text)), '0') FROM nextval('order_number_seq') n),
                 $1, 'pending_payment', $2, $3, $4, $5::jsonb, $6, now() + make_interval(mins => $7), $8)
         RETURNING *
       ), lines AS (
         INSERT INTO order_items (order_id, line_no, product_id, sku, name, quantity, unit_price_cents, vat_rate, net_cents, vat_cents, gross_cents)
         SELECT o.id, l.line_no, l.product_id, l.sku, l.name, l.quantity, l.unit_price_cents, l.vat_rate, l.net_cents, l.vat_cents, l.gross_cents
           FROM o, jsonb_to_recordset($10::jsonb) AS l(line_no int, product_id uuid, sku text, name text, quantity int,
                unit_price_cents int, vat_rate int, net_cents bigint, vat_cents bigint, gross_cents bigint)
       ), history AS (
         INSERT INTO order_status_history (order_id, from_status, to_status, actor_id, actor_role, reason)
         SELECT o.id, NULL, 'pending_payment', $8, $9, NULL FROM o
       ), created AS (
         ${recordEventSql('o', "jsonb_build_object('orderId', o.id, 'number', o.number)", { type: '$11', data: '$12', audienceUserId: '$1' })}
       )
       SELECT * FROM o`,
      [
        o.customerId,
        o.totals.netCents,
        o.totals.vatCents,
        o.totals.grossCents,
        JSON.stringify(o.shippingAddress),
        o.notes,
        o.ttlMinutes,
        o.actor.id,
        o.actor.role,
        JSON.stringify(
          o.lines.map((l, i) => ({
            line_no: i + 1,
            product_id: l.productId,
            sku: l.sku,
            name: l.name,
            quantity: l.quantity,
            unit_price_cents: l.unitPriceCents,
            vat_rate: l.vatRate,
            net_cents: l.netCents,
            vat_cents: l.vatCents,
            gross_cents: l.grossCents,
          })),
        ),
        'order.created',
        JSON.stringify(created),
      ],
    );
    eventRecordedIn(tx);
    return toOrderRecord(row as OrderRow);
  },

  async find(target: DbTarget, id: string): Promise<OrderRecord | undefined> {
    return toOrderRecordIfAny(await sqlOne<OrderRow>(target, 'SELECT * FROM orders WHERE id = $1', [id]));
  },

  /**
   * The order and all its view shows in one statement, `text` being `orderReadSql` (built once by the
   * caller with the other modules' parts); undefined for no such order. Raw: JSON aggregates, on the
   * path of every order page and of the answer after each change (make bench: GET /orders/{id}).
   */
  async read(target: DbTarget, text: string, id: string): Promise<OrderReadRecord | undefined> {
    const row = await sqlOne<OrderReadRow>(target, text, [id]);
    return (
      row && {
        order: toOrderRecord(row),
        lines: row.lines,
        shippedUnits: row.shipped_units,
        returnedUnits: row.returned_units,
        payments: row.payments,
        shipments: row.shipments,
        refundedCents: Number(row.refunded_cents),
        customer: row.customer,
      }
    );
  },

  /** Raw: a row lock (SELECT … FOR UPDATE) handing out the OrderRecord every use case reads. */
  async lock(tx: Tx, id: string): Promise<OrderRecord | undefined> {
    return toOrderRecordIfAny(await sqlOne<OrderRow>(tx, 'SELECT * FROM orders WHERE id = $1 FOR UPDATE', [id]));
  },

  /** The oldest overdue unpaid order nobody else is handling (SKIP LOCKED), locked. Raw: SKIP LOCKED. */
  async claimOverdue(tx: Tx): Promise<OrderRecord | undefined> {
    return toOrderRecordIfAny(
      await sqlOne<OrderRow>(
        tx,
        `SELECT * FROM orders WHERE status = 'pending_payment' AND reserved_until <= now()
          ORDER BY reserved_until LIMIT 1 FOR UPDATE SKIP LOCKED`,
      ),
    );
  },

  async items(target: DbTarget, orderId: string): Promise<ItemRecord[]> {
    const rows = await OrderItemModel.findAll({ where: { orderId }, order: [['lineNo', 'ASC']], transaction: transactionOf(target) });
    return rows.map((r) => r.get({ plain: true }) as ItemRecord);
  },

  /** The lines of several orders (an export page), by order then line number. */
  async itemsOfOrders(target: DbTarget, orderIds: readonly string[]): Promise<(ItemRecord & { orderId: string })[]> {
    if (orderIds.length === 0) return [];
    const rows = await OrderItemModel.findAll({
      where: { orderId: [...orderIds] },
      order: [
        ['orderId', 'ASC'],
        ['lineNo', 'ASC'],
      ],
      transaction: transactionOf(target),
    });
    return rows.map((r) => r.get({ plain: true }) as ItemRecord & { orderId: string });
  },

  /** Every line's units (ordered, shipped, cancelled) with its price, in product order (the order in which inventory locks rows). */
  async lineCounts(tx: Tx, orderId: string): Promise<(LineCounts & PricedLine)[]> {
    const rows = await OrderItemModel.findAll({
      attributes: ['productId', 'quantity', 'shippedQuantity', 'cancelledQuantity', 'unitPriceCents', 'vatRate'],
      where: { orderId },
      order: [['productId', 'ASC']],
      transaction: tx,
    });
    return rows.map((l) => ({
      productId: l.productId,
      quantity: l.quantity,
      shippedQuantity: l.shippedQuantity,
      cancelledQuantity: l.cancelledQuantity,
      unitPriceCents: l.unitPriceCents,
      vatRate: l.vatRate,
    }));
  },

  /**
   * Adds units to the lines' shipped (a shipment; negative: a shipment cancelled) or cancelled count
   * (the caller holds the order's lock). The database's checks keep each count ≥ 0 and their sum
   * within the line's quantity whatever the caller computed. Raw: one statement for every line, each
   * by its own amount (the model's `increment` is one statement per line).
   */
  async addUnits(
    tx: Tx,
    orderId: string,
    count: 'shipped' | 'cancelled' | 'returned' | 'returnHeld',
    units: readonly { productId: string; quantity: number }[],
    sign: 1 | -1,
  ): Promise<void> {
    if (units.length === 0) return;
    const column = { shipped: 'shipped_quantity', cancelled: 'cancelled_quantity', returned: 'returned_quantity', returnHeld: 'return_held_quantity' }[count];
    const changed = await sql(
      tx,
      `UPDATE order_items i SET ${column} = i.${column} + v.q * $2
         FROM unnest($3::uuid[], $4::int[]) AS v(product_id, q)
        WHERE i.order_id = $1 AND i.product_id = v.product_id RETURNING i.line_no`,
      [orderId, sign, units.map((u) => u.productId), units.map((u) => u.quantity)],
    );
    if (changed.length !== units.length) throw new Error(`order ${orderId}: ${changed.length} of ${units.length} lines counted`);
  },

  /**
   * Counts the customer's unpaid orders after taking the customer's placement lock (a transaction
   * advisory lock, released at commit or rollback), so two placements of one customer count in turn
   * and each sees the other's order. Taken before inventory locks any product row.
   */
  /** Raw: an advisory lock has no model call; the count runs under it on the placement path (make bench). */
  async lockAndCountUnpaid(tx: Tx, customerId: string): Promise<number> {
    await sql(tx, "SELECT pg_advisory_xact_lock(hashtextextended('orders:placement:' || $1, 0))", [customerId]);
    const row = await sqlOne<{ n: number }>(tx, "SELECT count(*)::int AS n FROM orders WHERE customer_id = $1 AND status = 'pending_payment'", [customerId]);
    return row?.n ?? 0;
  },

  async isProductOrdered(tx: Tx, productId: string): Promise<boolean> {
    return (await OrderItemModel.findOne({ attributes: ['orderId'], where: { productId }, transaction: tx })) !== null;
  },

  /** When the order last became `delivered` (its history row), or null. */
  async deliveredAt(target: DbTarget, orderId: string): Promise<Date | null> {
    const row = await OrderStatusHistoryModel.findOne({
      attributes: ['at'],
      where: { orderId, toStatus: 'delivered' },
      order: [['id', 'DESC']],
      transaction: transactionOf(target),
    });
    return row ? row.at : null;
  },

  async history(target: DbTarget, orderId: string): Promise<HistoryRecord[]> {
    const rows = await OrderStatusHistoryModel.findAll({ where: { orderId }, order: [['id', 'ASC']], transaction: transactionOf(target) });
    return rows.map((r) => r.get({ plain: true }) as HistoryRecord);
  },

  /** Newest first, keyset-paged on (created_at, id); limit+1 rows (the SQL is order-list.sql.ts). */
  async list(target: DbTarget, f: OrderListParams): Promise<OrderListRecord[]> {
    const { text, values } = orderListSql(f);
    const rows = await sql<OrderRow & { item_count: string }>(target, text, values);
    return rows.map((row) => ({ ...toOrderRecord(row), itemCount: Number(row.item_count) }));
  },

  async setStatus(tx: Tx, id: string, to: OrderStatus): Promise<void> {
    await sql(
      tx,
      `UPDATE orders SET status = $2, updated_at = clock_timestamp(),
              reserved_until = CASE WHEN $2 = 'pending_payment' THEN reserved_until ELSE NULL END
        WHERE id = $1`,
      [id, to],
    );
  },

  async writeHistory(tx: Tx, orderId: string, from: OrderStatus | null, to: OrderStatus, actor: Actor | null, reason: string | null): Promise<void> {
    await OrderStatusHistoryModel.create(
      { orderId, fromStatus: from, toStatus: to, actorId: actor?.id ?? null, actorRole: actor?.role ?? 'system', reason },
      { transaction: tx },
    );
  },
};
