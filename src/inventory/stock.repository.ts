import { Op } from 'sequelize';
import type { DbTarget, Tx } from '../platform/db/db';
import { sql, transactionOf } from '../platform/db/sql';
import type { Schemas } from '../platform/http/contract';
import { StockMovementModel } from './stock-movement.model';

export type MovementType = Schemas['StockMovementType'];

/**
 * A product as stock sees it. The stock figures (`onHand`, `reserved`) live on the product's row,
 * which inventory co-owns with products: placement locks one row per product and reads the price
 * snapshot with it. Inventory writes only `on_hand` and `reserved`.
 */
export interface StockRecord {
  id: string;
  sku: string;
  name: string;
  active: boolean;
  unitPriceCents: number;
  vatRate: number;
  reorderLevel: number;
  onHand: number;
  reserved: number;
}

/** The product row's columns stock reads, as the raw statements return them. */
interface StockRow {
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

function toStockRecord(row: StockRow): StockRecord {
  return {
    id: row.id,
    sku: row.sku,
    name: row.name,
    active: row.active,
    unitPriceCents: row.unit_price_cents,
    vatRate: row.vat_rate,
    reorderLevel: row.reorder_level,
    onHand: row.on_hand,
    reserved: row.reserved,
  };
}

/** A stock movement as the repository hands it out: a plain object, never a model instance. */
export interface MovementRecord {
  id: string;
  /** bigint, as text. */
  seq: string;
  productId: string;
  type: MovementType;
  delta: number;
  onHandAfter: number;
  reason: string | null;
  actorId: string | null;
  orderId: string | null;
  createdAt: Date;
}

const NEWEST_FIRST: [string, string][] = [['seq', 'DESC']];

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

/**
 * The stock columns of products and the stock_movements ledger: the only code that names them for
 * stock. The ledger goes through its model. The product row's statements are raw: placement's are
 * measured (make bench), and inventory has no model of the row it co-owns — ProductModel belongs to
 * products, which imports inventory, so using it here would make the module graph a cycle.
 */
export const stockRepository = {
  /** Raw SQL on the hot path (make bench: order placement): one statement locks every line's row, in id order. */
  async lock(tx: Tx, ids: readonly string[]): Promise<StockRecord[]> {
    const sorted = [...new Set(ids)].sort();
    const rows = await sql<StockRow>(tx, 'SELECT * FROM products WHERE id = ANY($1::uuid[]) ORDER BY id FOR UPDATE', [sorted]);
    return rows.map(toStockRecord);
  },

  /** Raw: the co-owned product row (no model here, see above). */
  async exists(target: DbTarget, id: string): Promise<boolean> {
    return (await sql(target, 'SELECT 1 FROM products WHERE id = $1', [id])).length > 0;
  },

  /**
   * Raw SQL on the hot path (make bench: order placement, one round trip instead of two): locks every
   * line's row in id order (as `lock`) and, only when every line's product exists, is active and has
   * the quantity available, reserves them all and marks them changed. Answers the rows as they were
   * locked (before the reservation) and how many rows the reservation changed (0 when refused).
   */
  async lockAndReserve(tx: Tx, lines: readonly { productId: string; quantity: number }[]): Promise<{ rows: StockRecord[]; reserved: number }> {
    const rows = await sql<StockRow & { reserved_rows: number }>(
      tx,
      `WITH locked AS (
         SELECT * FROM products WHERE id = ANY($1::uuid[]) ORDER BY id FOR UPDATE
       ), wanted AS (
         SELECT id, q FROM unnest($1::uuid[], $2::int[]) AS v(id, q)
       ), changed AS (
         UPDATE products p SET reserved = p.reserved + w.q, updated_at = now()
           FROM wanted w
          WHERE p.id = w.id
            AND (SELECT count(*) FROM locked) = (SELECT count(DISTINCT id) FROM wanted)
            AND NOT EXISTS (SELECT 1 FROM locked l JOIN wanted x ON x.id = l.id WHERE NOT l.active OR x.q > l.on_hand - l.reserved)
          RETURNING p.id
       ), marks AS (
         INSERT INTO stock_change_marks (product_id) SELECT id FROM changed ON CONFLICT DO NOTHING
       )
       SELECT l.*, (SELECT count(*) FROM changed)::int AS reserved_rows FROM locked l ORDER BY l.id`,
      [lines.map((l) => l.productId), lines.map((l) => l.quantity)],
    );
    return { rows: rows.map(toStockRecord), reserved: rows[0]?.reserved_rows ?? 0 };
  },

  /**
   * Raw SQL on the hot path (make bench: order placement): every line's reservation, and the
   * products' stock-change marks, in one statement.
   */
  async adjustReserved(tx: Tx, lines: readonly { productId: string; quantity: number }[], sign: 1 | -1): Promise<void> {
    await sql(
      tx,
      `WITH changed AS (
         UPDATE products p SET reserved = p.reserved + v.q * $1, updated_at = now()
           FROM unnest($2::uuid[], $3::int[]) AS v(id, q) WHERE p.id = v.id RETURNING p.id)
       ${MARK_CHANGED}`,
      [sign, lines.map((l) => l.productId), lines.map((l) => l.quantity)],
    );
  },

  /**
   * Raw: the co-owned product row (no model here, see above); under the row lock of `lock`. Adds each
   * line's `incoming` delta (purchase orders sent, received, cancelled) and, for a goods receipt, its
   * `onHand` delta, in one statement; the CHECKs keep both within their ranges.
   */
  async addIncomingAndOnHand(tx: Tx, lines: readonly { productId: string; incoming: number; onHand: number }[]): Promise<void> {
    await sql(
      tx,
      `WITH changed AS (
         UPDATE products p SET incoming = p.incoming + v.i, on_hand = p.on_hand + v.h, updated_at = now()
           FROM unnest($1::uuid[], $2::int[], $3::int[]) AS v(id, i, h) WHERE p.id = v.id RETURNING p.id)
       ${MARK_CHANGED}`,
      [lines.map((l) => l.productId), lines.map((l) => l.incoming), lines.map((l) => l.onHand)],
    );
  },

  /** Raw: the co-owned product row (no model here, see above); under the row lock of `lock`. */
  async setOnHand(tx: Tx, id: string, onHand: number, touch = true): Promise<void> {
    await sql(tx, `WITH changed AS (UPDATE products SET on_hand = $2${touch ? ', updated_at = now()' : ''} WHERE id = $1 RETURNING id) ${MARK_CHANGED}`, [
      id,
      onHand,
    ]);
  },

  /**
   * Raw: the co-owned product row (no model here, see above); one statement books a sale (delta < 0:
   * on hand and reserved drop) or reverses one (delta > 0: both grow back).
   */
  async moveSold(tx: Tx, id: string, delta: number): Promise<void> {
    await sql(
      tx,
      `WITH changed AS (UPDATE products SET on_hand = on_hand + $2, reserved = reserved + $2, updated_at = now() WHERE id = $1 RETURNING id)
       ${MARK_CHANGED}`,
      [id, delta],
    );
  },

  /**
   * Raw, set-based (a CSV import sets up to 100,000 levels): each product whose `on_hand` differs
   * from its target gets the target and one movement of `type` with the difference as delta; the
   * products are marked changed. The caller holds the rows' locks (the delta is read here: a second
   * FOR UPDATE of 100,000 rows cost seconds); the CHECK `reserved <= on_hand` guards what it checked.
   * Answers how many products changed.
   */
  async setLevels(
    tx: Tx,
    ids: readonly string[],
    levels: readonly number[],
    m: { type: MovementType; reason: string; actorId: string | null },
  ): Promise<number> {
    if (ids.length === 0) return 0;
    const rows = await sql<{ n: number }>(
      tx,
      `WITH target AS (
         SELECT * FROM unnest($1::uuid[], $2::int[]) AS t(id, on_hand)
       ), current AS (
         SELECT p.id, p.on_hand AS before, t.on_hand AS after FROM products p JOIN target t ON t.id = p.id
          WHERE p.on_hand <> t.on_hand
       ), changed AS (
         UPDATE products p SET on_hand = c.after, updated_at = now() FROM current c WHERE p.id = c.id RETURNING p.id
       ), marks AS (
         ${MARK_CHANGED}
       ), moved AS (
         INSERT INTO stock_movements (product_id, type, delta, on_hand_after, reason, actor_id)
         SELECT id, $3, after - before, after, $4, $5 FROM current ORDER BY id
         RETURNING 1
       )
       SELECT count(*)::int AS n FROM moved`,
      [ids, levels, m.type, m.reason, m.actorId],
    );
    return rows[0]?.n ?? 0;
  },

  /**
   * Raw, set-based: the first movements of products just inserted with their `on_hand` (a CSV import's
   * new products; `recordInitialStock` for many), and their stock-change marks.
   */
  async recordInitialLevels(
    tx: Tx,
    ids: readonly string[],
    levels: readonly number[],
    m: { type: MovementType; reason: string; actorId: string | null },
  ): Promise<number> {
    if (ids.length === 0) return 0;
    const rows = await sql<{ n: number }>(
      tx,
      `WITH changed AS (
         SELECT * FROM unnest($1::uuid[], $2::int[]) AS t(id, on_hand)
       ), marks AS (
         ${MARK_CHANGED}
       ), moved AS (
         INSERT INTO stock_movements (product_id, type, delta, on_hand_after, reason, actor_id)
         SELECT id, $3, on_hand, on_hand, $4, $5 FROM changed ORDER BY id
         RETURNING 1
       )
       SELECT count(*)::int AS n FROM moved`,
      [ids, levels, m.type, m.reason, m.actorId],
    );
    return rows[0]?.n ?? 0;
  },

  async insertMovement(tx: Tx, m: NewMovement): Promise<MovementRecord> {
    const row = await StockMovementModel.create({ ...m }, { transaction: tx });
    return row.get({ plain: true }) as MovementRecord;
  },

  /** Newest first, keyset-paged on seq; limit+1 rows. */
  async movements(target: DbTarget, productId: string, afterSeq: string | undefined, limit: number): Promise<MovementRecord[]> {
    const where = afterSeq === undefined ? { productId } : { productId, seq: { [Op.lt]: afterSeq } };
    const rows = await StockMovementModel.findAll({ where, order: NEWEST_FIRST, limit: limit + 1, transaction: transactionOf(target) });
    return rows.map((r) => r.get({ plain: true }) as MovementRecord);
  },
};
