import type { DbTarget, Tx } from '../platform/db/db';
import { sql, sqlOne } from '../platform/db/sql';
import type { PurchaseOrderStatus } from './purchase-order-status';

export interface PurchaseOrderLineRecord {
  productId: string;
  quantity: number;
  unitCostCents: number;
  receivedQuantity: number;
}

export interface PurchaseOrderRecord {
  id: string;
  number: string;
  supplierId: string;
  supplierName: string;
  status: PurchaseOrderStatus;
  expectedAt: string | null;
  notes: string | null;
  version: number;
  createdAt: Date;
  updatedAt: Date;
  sentAt: Date | null;
  cancelledAt: Date | null;
  lines: PurchaseOrderLineRecord[];
}

export interface ReceiptLineRecord {
  productId: string;
  quantity: number;
  overReceived: number;
}

export interface ReceiptRecord {
  id: string;
  purchaseOrderId: string;
  note: string | null;
  allowOverReceipt: boolean;
  actorId: string | null;
  createdAt: Date;
  lines: ReceiptLineRecord[];
}

/** A line to insert: `position` is its place in the order as the caller gave it. */
export interface NewLine {
  purchaseOrderId: string;
  productId: string;
  position: number;
  quantity: number;
  unitCostCents: number;
}

export interface PurchaseOrderFilters {
  status?: PurchaseOrderStatus;
  supplierId?: string;
}

interface OrderRow {
  id: string;
  number: string;
  supplier_id: string;
  supplier_name: string;
  status: PurchaseOrderStatus;
  expected_at: string | null;
  notes: string | null;
  version: number;
  created_at: Date;
  updated_at: Date;
  sent_at: Date | null;
  cancelled_at: Date | null;
}

interface LineRow {
  purchase_order_id: string;
  product_id: string;
  quantity: number;
  unit_cost_cents: number;
  received_quantity: number;
}

/** The order's columns with its supplier's name; `expected_at` as its ISO date text. */
const ORDER_COLUMNS = `o.id, o.number, o.supplier_id, s.name AS supplier_name, o.status, to_char(o.expected_at, 'YYYY-MM-DD') AS expected_at,
  o.notes, o.version, o.created_at, o.updated_at, o.sent_at, o.cancelled_at`;

function toOrder(row: OrderRow, lines: PurchaseOrderLineRecord[]): PurchaseOrderRecord {
  return {
    id: row.id,
    number: row.number,
    supplierId: row.supplier_id,
    supplierName: row.supplier_name,
    status: row.status,
    expectedAt: row.expected_at,
    notes: row.notes,
    version: row.version,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    sentAt: row.sent_at,
    cancelledAt: row.cancelled_at,
    lines,
  };
}

const toLine = (r: LineRow): PurchaseOrderLineRecord => ({
  productId: r.product_id,
  quantity: r.quantity,
  unitCostCents: r.unit_cost_cents,
  receivedQuantity: r.received_quantity,
});

async function withLines(target: DbTarget, rows: OrderRow[]): Promise<PurchaseOrderRecord[]> {
  if (rows.length === 0) return [];
  const lines = await sql<LineRow>(target, 'SELECT * FROM purchase_order_lines WHERE purchase_order_id = ANY($1::uuid[]) ORDER BY position', [
    rows.map((r) => r.id),
  ]);
  return rows.map((r) => toOrder(r, lines.filter((l) => l.purchase_order_id === r.id).map(toLine)));
}

/** The purchase orders, their lines and receipts: the only code that names those tables. */
export const purchaseOrderRepository = {
  /** The order's row (its lines come through `insertLines`). */
  async insert(tx: Tx, o: { id: string; supplierId: string; expectedAt: string | null; notes: string | null; createdBy: string }): Promise<void> {
    await sql(
      tx,
      `INSERT INTO purchase_orders (id, number, supplier_id, expected_at, notes, created_by)
       VALUES ($1, (SELECT 'PO-' || to_char(now(), 'YYYY') || '-' || lpad(n::text, greatest(6, length(n::text)), '0') FROM nextval('purchase_order_number_seq') n),
               $2, $3::date, $4, $5)`,
      [o.id, o.supplierId, o.expectedAt, o.notes, o.createdBy],
    );
  },

  /**
   * Inserts lines (of one order or several), each at its `position` (the caller's order), in product
   * id order: each row's foreign-key check takes FOR KEY SHARE on its product, so the locks come in the
   * order placement, sending and receiving lock products (FOR UPDATE, by id) and cannot deadlock them.
   */
  async insertLines(tx: Tx, lines: readonly NewLine[]): Promise<void> {
    if (lines.length === 0) return;
    await sql(
      tx,
      `INSERT INTO purchase_order_lines (purchase_order_id, product_id, position, quantity, unit_cost_cents)
       SELECT v.order_id, v.product_id, v.position, v.quantity, v.cost
         FROM unnest($1::uuid[], $2::uuid[], $3::int[], $4::int[], $5::int[]) AS v(order_id, product_id, position, quantity, cost)
        ORDER BY v.product_id, v.order_id`,
      [
        lines.map((l) => l.purchaseOrderId),
        lines.map((l) => l.productId),
        lines.map((l) => l.position),
        lines.map((l) => l.quantity),
        lines.map((l) => l.unitCostCents),
      ],
    );
  },

  async deleteLines(tx: Tx, id: string): Promise<void> {
    await sql(tx, 'DELETE FROM purchase_order_lines WHERE purchase_order_id = $1', [id]);
  },

  async find(target: DbTarget, id: string): Promise<PurchaseOrderRecord | undefined> {
    const rows = await sql<OrderRow>(target, `SELECT ${ORDER_COLUMNS} FROM purchase_orders o JOIN suppliers s ON s.id = o.supplier_id WHERE o.id = $1`, [id]);
    return (await withLines(target, rows))[0];
  },

  /** The order's row lock (SELECT … FOR UPDATE): every change of an order and its lines happens under it. */
  async lock(tx: Tx, id: string): Promise<PurchaseOrderRecord | undefined> {
    const rows = await sql<OrderRow>(
      tx,
      `SELECT ${ORDER_COLUMNS} FROM purchase_orders o JOIN suppliers s ON s.id = o.supplier_id WHERE o.id = $1 FOR UPDATE OF o`,
      [id],
    );
    return (await withLines(tx, rows))[0];
  },

  /** Newest first, keyset-paged on (created_at, id); limit+1 rows (an index per filter, migration 0019). */
  async page(target: DbTarget, filters: PurchaseOrderFilters, limit: number, after?: readonly [string, string]): Promise<PurchaseOrderRecord[]> {
    const where: string[] = [];
    const values: unknown[] = [];
    const param = (value: unknown): string => `$${values.push(value)}`;
    if (filters.status) where.push(`o.status = ${param(filters.status)}`);
    if (filters.supplierId) where.push(`o.supplier_id = ${param(filters.supplierId)}::uuid`);
    if (after) where.push(`(o.created_at, o.id) < (${param(after[0])}::timestamptz, ${param(after[1])}::uuid)`);
    const rows = await sql<OrderRow>(
      target,
      `SELECT ${ORDER_COLUMNS} FROM purchase_orders o JOIN suppliers s ON s.id = o.supplier_id
        ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY o.created_at DESC, o.id DESC LIMIT ${param(limit + 1)}`,
      values,
    );
    return withLines(target, rows);
  },

  async update(
    tx: Tx,
    id: string,
    change: { status?: PurchaseOrderStatus; expectedAt?: string | null; notes?: string | null; sent?: boolean; cancelled?: boolean },
  ): Promise<void> {
    const sets = ['version = version + 1', 'updated_at = now()'];
    const values: unknown[] = [id];
    const param = (value: unknown): string => `$${values.push(value)}`;
    if (change.status !== undefined) sets.push(`status = ${param(change.status)}`);
    if (change.expectedAt !== undefined) sets.push(`expected_at = ${param(change.expectedAt)}::date`);
    if (change.notes !== undefined) sets.push(`notes = ${param(change.notes)}`);
    if (change.sent) sets.push('sent_at = now()');
    if (change.cancelled) sets.push('cancelled_at = now()');
    await sql(tx, `UPDATE purchase_orders SET ${sets.join(', ')} WHERE id = $1`, values);
  },

  /** Adds each line's received units (under the order's lock). */
  async addReceived(tx: Tx, id: string, lines: readonly { productId: string; quantity: number }[]): Promise<void> {
    await sql(
      tx,
      `UPDATE purchase_order_lines l SET received_quantity = l.received_quantity + v.q
         FROM unnest($2::uuid[], $3::int[]) AS v(product_id, q)
        WHERE l.purchase_order_id = $1 AND l.product_id = v.product_id`,
      [id, lines.map((l) => l.productId), lines.map((l) => l.quantity)],
    );
  },

  async insertReceipt(
    tx: Tx,
    r: { id: string; purchaseOrderId: string; note: string | null; allowOverReceipt: boolean; actorId: string },
    lines: readonly ReceiptLineRecord[],
  ): Promise<ReceiptRecord> {
    const row = await sqlOne<{ created_at: Date }>(
      tx,
      `INSERT INTO purchase_receipts (id, purchase_order_id, note, allow_over_receipt, actor_id) VALUES ($1, $2, $3, $4, $5) RETURNING created_at`,
      [r.id, r.purchaseOrderId, r.note, r.allowOverReceipt, r.actorId],
    );
    await sql(
      tx,
      `INSERT INTO purchase_receipt_lines (receipt_id, product_id, quantity, over_received)
       SELECT $1, * FROM unnest($2::uuid[], $3::int[], $4::int[])`,
      [r.id, lines.map((l) => l.productId), lines.map((l) => l.quantity), lines.map((l) => l.overReceived)],
    );
    return { ...r, createdAt: (row as { created_at: Date }).created_at, lines: [...lines] };
  },

  /** The last unit cost of each (supplier, product) pair on an order that was not cancelled. */
  async lastCosts(target: DbTarget, pairs: readonly { supplierId: string; productId: string }[]): Promise<Map<string, number>> {
    if (pairs.length === 0) return new Map();
    const rows = await sql<{ supplier_id: string; product_id: string; unit_cost_cents: number }>(
      target,
      `SELECT DISTINCT ON (o.supplier_id, l.product_id) o.supplier_id, l.product_id, l.unit_cost_cents
         FROM purchase_order_lines l JOIN purchase_orders o ON o.id = l.purchase_order_id
        WHERE l.product_id = ANY($2::uuid[]) AND o.status <> 'cancelled'
          AND (o.supplier_id, l.product_id) IN (SELECT * FROM unnest($1::uuid[], $2::uuid[]))
        ORDER BY o.supplier_id, l.product_id, o.created_at DESC`,
      [pairs.map((p) => p.supplierId), pairs.map((p) => p.productId)],
    );
    return new Map(rows.map((r) => [`${r.supplier_id}:${r.product_id}`, r.unit_cost_cents]));
  },

  /** Whether any purchase order names the product (a product on one is archived, never deleted). */
  async namesProduct(target: DbTarget, productId: string): Promise<boolean> {
    return (await sql(target, 'SELECT 1 FROM purchase_order_lines WHERE product_id = $1 LIMIT 1', [productId])).length > 0;
  },
};
