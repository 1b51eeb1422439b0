import type { Sequelize } from 'sequelize-typescript';
import { QueryTypes, type Transaction } from 'sequelize';
import { AppError, ConflictError, NotFoundError, ValidationError } from '../platform/errors';
import { recordEvent } from '../platform/events';
import { txQuery } from '../platform/db/database';
import { decodeCursor, toPage, type Page } from '../platform/http/pagination';
import type { Actor, Schemas } from '../platform/http/contract';
import type { ProductRow } from '../products';

export type StockMovementView = Schemas['StockMovement'];
export type MovementType = Schemas['StockMovementType'];

interface MovementRow {
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

function toMovementView(row: MovementRow): StockMovementView {
  return {
    id: row.id,
    productId: row.product_id,
    type: row.type,
    delta: row.delta,
    onHandAfter: row.on_hand_after,
    reason: row.reason,
    actorId: row.actor_id,
    orderId: row.order_id,
    createdAt: new Date(row.created_at).toISOString(),
  };
}

/** What an order needs from each product it reserves: the price and tax snapshot. */
export interface ReservedLine {
  productId: string;
  sku: string;
  name: string;
  quantity: number;
  unitPriceCents: number;
  vatRate: number;
}

export interface ShortLine {
  productId: string;
  requested: number;
  available: number;
}

const SIGN_RULES: Partial<Record<MovementType, 'positive' | 'negative'>> = {
  receipt: 'positive',
  return: 'positive',
  damage: 'negative',
};

/**
 * The stock ledger and the stock figures of products. Every change to `onHand` is a movement row
 * written in the same transaction, so `onHand` always equals the sum of the ledger; every change
 * locks the product row first, so concurrent changes never lose an update.
 */
export class InventoryService {
  constructor(private readonly sequelize: Sequelize) {}

  async recordMovement(
    productId: string,
    input: { type: MovementType; delta: number; reason: string | null },
    actor: Actor | null,
    orderId: string | null = null,
  ): Promise<StockMovementView> {
    const rule = SIGN_RULES[input.type];
    if ((rule === 'positive' && input.delta < 0) || (rule === 'negative' && input.delta > 0)) {
      throw new ValidationError('The request is invalid: see errors for each field.', [
        { path: 'body.delta', message: `must be ${rule} for a ${input.type} movement` },
      ]);
    }
    return this.sequelize.transaction(async (tx) => {
      const product = await this.lockProducts([productId], tx).then((rows) => rows[0]);
      if (!product) throw new NotFoundError('The product');
      const onHandAfter = product.on_hand + input.delta;
      if (onHandAfter < 0) {
        throw new ConflictError('negative-stock', `The movement would take onHand to ${onHandAfter}; it is ${product.on_hand}.`);
      }
      if (onHandAfter < product.reserved) {
        throw new ConflictError(
          'stock-below-reserved',
          `The movement would take onHand to ${onHandAfter}, below the ${product.reserved} units reserved by orders.`,
        );
      }
      await this.sequelize.query('UPDATE products SET on_hand = :onHand, updated_at = now() WHERE id = :id', {
        replacements: { onHand: onHandAfter, id: productId },
        transaction: tx,
      });
      const movement = await this.insertMovement(tx, {
        productId,
        type: input.type,
        delta: input.delta,
        onHandAfter,
        reason: input.reason,
        actorId: actor?.id ?? null,
        orderId,
      });
      await this.emitLowStockIfCrossed(tx, product, { ...product, on_hand: onHandAfter });
      return toMovementView(movement);
    });
  }

  /** The first receipt of a new product, inside the transaction that creates it. */
  async recordInitialStock(tx: Transaction, product: ProductRow, quantity: number, actor: Actor): Promise<void> {
    await this.sequelize.query('UPDATE products SET on_hand = :q WHERE id = :id', {
      replacements: { q: quantity, id: product.id },
      transaction: tx,
    });
    await this.insertMovement(tx, {
      productId: product.id,
      type: 'receipt',
      delta: quantity,
      onHandAfter: quantity,
      reason: 'initial stock',
      actorId: actor.id,
      orderId: null,
    });
  }

  async listMovements(productId: string, query: { limit: number; cursor?: string }): Promise<Page<StockMovementView>> {
    const exists = await this.sequelize.query('SELECT 1 FROM products WHERE id = :productId', {
      replacements: { productId },
      type: QueryTypes.SELECT,
    });
    if (exists.length === 0) throw new NotFoundError('The product');
    const after = decodeCursor(query.cursor, 1) as [string] | undefined;
    if (after && !/^\d+$/.test(String(after[0]))) throw new AppError('invalid-cursor', 400, 'The cursor is not valid.');
    const rows = await this.sequelize.query<MovementRow>(
      `SELECT * FROM stock_movements WHERE product_id = :productId ${after ? 'AND seq < :after' : ''}
        ORDER BY seq DESC LIMIT :limit`,
      { replacements: { productId, after: after?.[0] ?? null, limit: query.limit + 1 }, type: QueryTypes.SELECT },
    );
    return toPage(rows, query.limit, toMovementView, (r) => [String(r.seq)]);
  }

  /**
   * Reserves stock for an order's lines inside the order's transaction. Rows are locked in id order
   * so two orders over the same products never deadlock; every short line is reported at once.
   */
  async reserve(tx: Transaction, lines: readonly { productId: string; quantity: number }[]): Promise<ReservedLine[]> {
    const rows = await this.lockProducts(
      lines.map((l) => l.productId),
      tx,
    );
    const byId = new Map(rows.map((r) => [r.id, r]));
    const missing = lines.filter((l) => !byId.has(l.productId)).map((l) => l.productId);
    if (missing.length > 0) {
      throw new AppError('product-not-found', 404, `These products do not exist: ${missing.join(', ')}.`, { extra: { productIds: missing } });
    }
    const inactive = lines.filter((l) => !byId.get(l.productId)?.active).map((l) => l.productId);
    if (inactive.length > 0) {
      throw new ConflictError('product-inactive', `These products can no longer be ordered: ${inactive.join(', ')}.`, { productIds: inactive });
    }
    const short: ShortLine[] = [];
    for (const line of lines) {
      const row = byId.get(line.productId) as ProductRow;
      const available = row.on_hand - row.reserved;
      if (line.quantity > available) short.push({ productId: line.productId, requested: line.quantity, available });
    }
    if (short.length > 0) {
      throw new ConflictError('insufficient-stock', `${short.length} line(s) exceed the available stock; nothing was reserved.`, {
        lines: short,
      });
    }
    await this.adjustReserved(tx, lines, +1);
    for (const line of lines) {
      const before = byId.get(line.productId) as ProductRow;
      await this.emitLowStockIfCrossed(tx, before, { ...before, reserved: before.reserved + line.quantity });
    }
    return lines.map((line) => {
      const row = byId.get(line.productId) as ProductRow;
      return {
        productId: row.id,
        sku: row.sku,
        name: row.name,
        quantity: line.quantity,
        unitPriceCents: row.unit_price_cents,
        vatRate: row.vat_rate,
      };
    });
  }

  /** Gives an order's reserved units back to `available` (cancellation, payment timeout). */
  async release(tx: Transaction, lines: readonly { productId: string; quantity: number }[]): Promise<void> {
    await this.lockProducts(
      lines.map((l) => l.productId),
      tx,
    );
    await this.adjustReserved(tx, lines, -1);
  }

  /** Shipping: each line's reservation becomes a `sale` movement; `onHand` and `reserved` both drop. */
  async commitSale(tx: Transaction, orderId: string, lines: readonly { productId: string; quantity: number }[], actor: Actor | null): Promise<void> {
    const rows = await this.lockProducts(
      lines.map((l) => l.productId),
      tx,
    );
    const byId = new Map(rows.map((r) => [r.id, r]));
    for (const line of lines) {
      const row = byId.get(line.productId);
      if (!row) throw new NotFoundError('A product of this order');
      const onHandAfter = row.on_hand - line.quantity;
      await this.sequelize.query(
        'UPDATE products SET on_hand = on_hand - :q, reserved = reserved - :q, updated_at = now() WHERE id = :id',
        { replacements: { q: line.quantity, id: line.productId }, transaction: tx },
      );
      await this.insertMovement(tx, {
        productId: line.productId,
        type: 'sale',
        delta: -line.quantity,
        onHandAfter,
        reason: 'order shipped',
        actorId: actor?.id ?? null,
        orderId,
      });
    }
  }

  private async lockProducts(ids: readonly string[], tx: Transaction): Promise<ProductRow[]> {
    const sorted = [...new Set(ids)].sort();
    return txQuery<ProductRow>(tx, 'SELECT * FROM products WHERE id = ANY($1::uuid[]) ORDER BY id FOR UPDATE', [sorted]);
  }

  private async adjustReserved(tx: Transaction, lines: readonly { productId: string; quantity: number }[], sign: 1 | -1): Promise<void> {
    await txQuery(
      tx,
      `UPDATE products p SET reserved = p.reserved + v.q * $1, updated_at = now()
         FROM unnest($2::uuid[], $3::int[]) AS v(id, q) WHERE p.id = v.id`,
      [sign, lines.map((l) => l.productId), lines.map((l) => l.quantity)],
    );
  }

  private async insertMovement(
    tx: Transaction,
    m: { productId: string; type: MovementType; delta: number; onHandAfter: number; reason: string | null; actorId: string | null; orderId: string | null },
  ): Promise<MovementRow> {
    const [row] = await this.sequelize.query<MovementRow>(
      `INSERT INTO stock_movements (product_id, type, delta, on_hand_after, reason, actor_id, order_id)
       VALUES (:productId, :type, :delta, :onHandAfter, :reason, :actorId, :orderId) RETURNING *`,
      { replacements: m, type: QueryTypes.SELECT, transaction: tx },
    );
    return row as MovementRow;
  }

  /** A low-stock event fires when `available` goes from above the reorder level to at or below it. */
  private async emitLowStockIfCrossed(tx: Transaction, before: ProductRow, after: ProductRow): Promise<void> {
    const availableBefore = before.on_hand - before.reserved;
    const availableAfter = after.on_hand - after.reserved;
    if (availableBefore > before.reorder_level && availableAfter <= after.reorder_level) {
      await recordEvent(tx, {
        type: 'inventory.low_stock',
        data: { productId: after.id, sku: after.sku, name: after.name, available: availableAfter, reorderLevel: after.reorder_level },
      });
    }
  }
}
