import type { Transaction } from 'sequelize';
import { sql, sqlOne, type SqlTarget } from '../platform/db/sql';
import type { Schemas } from '../platform/http/contract';

export type MovementType = Schemas['StockMovementType'];

/**
 * A product row as stock sees it. The stock figures (`on_hand`, `reserved`) live on the product's
 * row, which inventory co-owns with products: placement locks one row per product and reads the
 * price snapshot with it. Inventory writes only `on_hand` and `reserved`.
 */
export interface StockRow {
  id: string;
  sku: string;
  name: string;
  active: boolean;
  unit_price_cents: number;
  vat_rate: number;
  reorder_level: number;
  on_hand: number;
  reserved: number;
}

export interface MovementRow {
  id: string;
  seq: string;
  product_id: string;
  type: MovementType;
  delta: number;
  on_hand_after: number;
  reason: string | null;
  actor_id: string | null;
  order_id: string | null;
  created_at: Date;
}

export interface NewMovement {
  productId: string;
  type: MovementType;
  delta: number;
  onHandAfter: number;
  reason: string | null;
  actorId: string | null;
  orderId: string | null;
}

/**
 * Ends every statement that changes `on_hand` or `reserved` (a CTE named `changed` returning the
 * products' ids): marks them for the live stock figures (stock-figures.publisher.ts). A mark already
 * there is left alone, so a burst of orders on one product writes one mark, not one per order.
 */
const MARK_CHANGED = 'INSERT INTO stock_change_marks (product_id) SELECT id FROM changed ON CONFLICT DO NOTHING';

/** The stock columns of products and the stock_movements ledger: the only SQL that names them for stock. */
export const stockRepository = {
  /** Raw SQL on the hot path (make bench: order placement): one statement locks every line's row, in id order. */
  lock(tx: Transaction, ids: readonly string[]): Promise<StockRow[]> {
    const sorted = [...new Set(ids)].sort();
    return sql<StockRow>(tx, 'SELECT * FROM products WHERE id = ANY($1::uuid[]) ORDER BY id FOR UPDATE', [sorted]);
  },

  async exists(target: SqlTarget, id: string): Promise<boolean> {
    return (await sql(target, 'SELECT 1 FROM products WHERE id = $1', [id])).length > 0;
  },

  /**
   * Raw SQL on the hot path (make bench: order placement): every line's reservation, and the
   * products' stock-change marks, in one statement.
   */
  async adjustReserved(tx: Transaction, lines: readonly { productId: string; quantity: number }[], sign: 1 | -1): Promise<void> {
    await sql(
      tx,
      `WITH changed AS (
         UPDATE products p SET reserved = p.reserved + v.q * $1, updated_at = now()
           FROM unnest($2::uuid[], $3::int[]) AS v(id, q) WHERE p.id = v.id RETURNING p.id)
       ${MARK_CHANGED}`,
      [sign, lines.map((l) => l.productId), lines.map((l) => l.quantity)],
    );
  },

  async setOnHand(tx: Transaction, id: string, onHand: number, touch = true): Promise<void> {
    await sql(tx, `WITH changed AS (UPDATE products SET on_hand = $2${touch ? ', updated_at = now()' : ''} WHERE id = $1 RETURNING id) ${MARK_CHANGED}`, [
      id,
      onHand,
    ]);
  },

  async sell(tx: Transaction, id: string, quantity: number): Promise<void> {
    await sql(
      tx,
      `WITH changed AS (UPDATE products SET on_hand = on_hand - $2, reserved = reserved - $2, updated_at = now() WHERE id = $1 RETURNING id)
       ${MARK_CHANGED}`,
      [id, quantity],
    );
  },

  async insertMovement(tx: Transaction, m: NewMovement): Promise<MovementRow> {
    const row = await sqlOne<MovementRow>(
      tx,
      `INSERT INTO stock_movements (product_id, type, delta, on_hand_after, reason, actor_id, order_id)
       VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING *`,
      [m.productId, m.type, m.delta, m.onHandAfter, m.reason, m.actorId, m.orderId],
    );
    return row as MovementRow;
  },

  /** Newest first, keyset-paged on seq; limit+1 rows. */
  movements(target: SqlTarget, productId: string, afterSeq: string | undefined, limit: number): Promise<MovementRow[]> {
    return afterSeq === undefined
      ? sql<MovementRow>(target, 'SELECT * FROM stock_movements WHERE product_id = $1 ORDER BY seq DESC LIMIT $2', [productId, limit + 1])
      : sql<MovementRow>(target, 'SELECT * FROM stock_movements WHERE product_id = $1 AND seq < $2 ORDER BY seq DESC LIMIT $3', [productId, afterSeq, limit + 1]);
  },
};
