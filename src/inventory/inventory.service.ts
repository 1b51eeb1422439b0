import type { Db, Tx } from '../platform/db/db';
import { AppError, ConflictError, NotFoundError, ValidationError } from '../platform/errors';
import { cursorScope, keysetAfter, toPage, type Page } from '../platform/http/pagination';
import type { Actor, Schemas } from '../platform/http/contract';
import { stockRepository as stock, type MovementRecord, type MovementType, type StockRecord } from './stock.repository';
import { recordLowStockIfCrossed } from './low-stock';

export type StockMovementView = Schemas['StockMovement'];
export type { MovementType };

function toMovementView(row: MovementRecord): StockMovementView {
  return {
    id: row.id,
    productId: row.productId,
    type: row.type,
    delta: row.delta,
    onHandAfter: row.onHandAfter,
    reason: row.reason,
    actorId: row.actorId,
    orderId: row.orderId,
    createdAt: new Date(row.createdAt).toISOString(),
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

type StockLine = { productId: string; quantity: number };

/** Products and a stock level for each (same order). */
export interface StockLevelList {
  productIds: readonly string[];
  onHand: readonly number[];
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
  constructor(private readonly db: Db) {}

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
    return this.db.transaction(async (tx) => {
      const [product] = await stock.lock(tx, [productId]);
      if (!product) throw new NotFoundError('The product');
      const onHandAfter = product.onHand + input.delta;
      if (onHandAfter < 0) {
        throw new ConflictError('negative-stock', `The movement would take onHand to ${onHandAfter}; it is ${product.onHand}.`);
      }
      if (onHandAfter < product.reserved) {
        throw new ConflictError(
          'stock-below-reserved',
          `The movement would take onHand to ${onHandAfter}, below the ${product.reserved} units reserved by orders.`,
        );
      }
      await stock.setOnHand(tx, productId, onHandAfter);
      const movement = await stock.insertMovement(tx, {
        productId,
        type: input.type,
        delta: input.delta,
        onHandAfter,
        reason: input.reason,
        actorId: actor?.id ?? null,
        orderId,
      });
      await recordLowStockIfCrossed(tx, product, { ...product, onHand: onHandAfter });
      return toMovementView(movement);
    });
  }

  /** The first receipt of a new product, inside the transaction that creates it. */
  async recordInitialStock(tx: Tx, productId: string, quantity: number, actorId: string | null, reason = 'initial stock'): Promise<void> {
    await stock.setOnHand(tx, productId, quantity, false);
    await stock.insertMovement(tx, { productId, type: 'receipt', delta: quantity, onHandAfter: quantity, reason, actorId, orderId: null });
  }

  /**
   * Sets many products' `onHand` at once inside the caller's transaction (a CSV import): each change
   * is an `adjustment` movement with `reason` and the actor, never an overwrite of the figure. The
   * caller holds the rows' locks and has checked every level against `reserved` under them.
   * Low-stock crossings are the caller's to announce (it knows the other fields the change moved).
   * `initial`: products the caller has just inserted with their first `onHand`; each gets its
   * movement (as `recordInitialStock`). Answers how many products' stock moved.
   */
  async setStockLevels(tx: Tx, levels: { changed: StockLevelList; initial: StockLevelList }, actorId: string | null, reason: string): Promise<number> {
    const movement = { type: 'adjustment' as const, reason, actorId };
    const initial = await stock.recordInitialLevels(tx, levels.initial.productIds, levels.initial.onHand, movement);
    return initial + (await stock.setLevels(tx, levels.changed.productIds, levels.changed.onHand, movement));
  }

  async listMovements(productId: string, query: { limit: number; cursor?: string }): Promise<Page<StockMovementView>> {
    if (!(await stock.exists(this.db, productId))) throw new NotFoundError('The product');
    const scope = cursorScope(query, { productId });
    const after = keysetAfter(query.cursor, ['int8'], scope);
    const rows = await stock.movements(this.db, productId, after?.[0], query.limit);
    return toPage(rows, query.limit, toMovementView, (r) => [String(r.seq)], scope);
  }

  /**
   * Reserves stock for an order's lines inside the order's transaction. Rows are locked in id order
   * so two orders over the same products never deadlock; every short line is reported at once.
   */
  async reserve(tx: Tx, lines: readonly StockLine[]): Promise<ReservedLine[]> {
    // Locks and, when every line passes the checks below, reserves in the same statement.
    const { rows, reserved } = await stock.lockAndReserve(tx, lines);
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
      const row = byId.get(line.productId) as StockRecord;
      const available = row.onHand - row.reserved;
      if (line.quantity > available) short.push({ productId: line.productId, requested: line.quantity, available });
    }
    if (short.length > 0) {
      throw new ConflictError('insufficient-stock', `${short.length} line(s) exceed the available stock; nothing was reserved.`, {
        lines: short,
      });
    }
    // The statement's guard is the checks above; a disagreement must never lose a reservation.
    if (reserved !== new Set(lines.map((l) => l.productId)).size) throw new Error(`reserve: ${reserved} of ${lines.length} lines reserved`);
    for (const line of lines) {
      const before = byId.get(line.productId) as StockRecord;
      await recordLowStockIfCrossed(tx, before, { ...before, reserved: before.reserved + line.quantity });
    }
    return lines.map((line) => {
      const row = byId.get(line.productId) as StockRecord;
      return { productId: row.id, sku: row.sku, name: row.name, quantity: line.quantity, unitPriceCents: row.unitPriceCents, vatRate: row.vatRate };
    });
  }

  /**
   * Purchasing: units a purchase order brings (`delta` > 0 when it is sent) or no longer brings
   * (< 0: cancelled), on each product's `incoming`, under the products' row locks (in id order), in
   * the caller's transaction. The live figures follow (a stock-change mark).
   */
  async adjustIncoming(tx: Tx, lines: readonly { productId: string; delta: number }[]): Promise<void> {
    const changed = lines.filter((l) => l.delta !== 0);
    if (changed.length === 0) return;
    await stock.lock(
      tx,
      changed.map((l) => l.productId),
    );
    await stock.addIncomingAndOnHand(
      tx,
      changed.map((l) => ({ productId: l.productId, incoming: l.delta, onHand: 0 })),
    );
  }

  /**
   * A goods receipt, in the caller's transaction: each line is a `receipt` movement (with the actor
   * and `reason`, the purchase order's number), on hand grows by its quantity and `incoming` drops by
   * `incomingDelta` (the units that were still expected), each product's row locked in id order.
   */
  async receivePurchase(tx: Tx, lines: readonly { productId: string; quantity: number; incomingDelta: number }[], actor: Actor, reason: string): Promise<void> {
    const rows = await stock.lock(
      tx,
      lines.map((l) => l.productId),
    );
    const byId = new Map(rows.map((r) => [r.id, r]));
    const sorted = [...lines].sort((a, b) => (a.productId < b.productId ? -1 : 1));
    for (const line of sorted) if (!byId.has(line.productId)) throw new NotFoundError('A product of this purchase order');
    await stock.addIncomingAndOnHand(
      tx,
      sorted.map((l) => ({ productId: l.productId, incoming: l.incomingDelta, onHand: l.quantity })),
    );
    for (const line of sorted) {
      const before = byId.get(line.productId) as StockRecord;
      await stock.insertMovement(tx, {
        productId: line.productId,
        type: 'receipt',
        delta: line.quantity,
        onHandAfter: before.onHand + line.quantity,
        reason,
        actorId: actor.id,
        orderId: null,
      });
      await recordLowStockIfCrossed(tx, before, { ...before, onHand: before.onHand + line.quantity });
    }
  }

  /** Gives an order's reserved units back to `available` (cancellation, payment timeout). */
  async release(tx: Tx, lines: readonly StockLine[]): Promise<void> {
    await stock.lock(
      tx,
      lines.map((l) => l.productId),
    );
    await stock.adjustReserved(tx, lines, -1);
  }

  /**
   * Units that came back to the shelf (a return received): one `return` movement per product, in
   * the caller's transaction, with the same rules as any movement — the product rows locked in id
   * order, on hand up, the stock-change mark for the live figures (`inventory.stock_changed`), and
   * `inventory.low_stock` settled against the new level.
   */
  async restock(tx: Tx, lines: readonly StockLine[], actor: Actor | null, reason: string, orderId: string | null): Promise<void> {
    const moving = [...lines].filter((l) => l.quantity > 0).sort((a, b) => (a.productId < b.productId ? -1 : 1));
    if (moving.length === 0) return;
    const rows = await stock.lock(
      tx,
      moving.map((l) => l.productId),
    );
    const byId = new Map(rows.map((r) => [r.id, r]));
    for (const line of moving) {
      const before = byId.get(line.productId);
      if (!before) throw new NotFoundError('A product of this return');
      const onHandAfter = before.onHand + line.quantity;
      await stock.setOnHand(tx, line.productId, onHandAfter);
      await stock.insertMovement(tx, {
        productId: line.productId,
        type: 'return',
        delta: line.quantity,
        onHandAfter,
        reason,
        actorId: actor?.id ?? null,
        orderId,
      });
      await recordLowStockIfCrossed(tx, before, { ...before, onHand: onHandAfter });
    }
  }

  /**
   * A shipment: each line's reserved units become a `sale` movement; `onHand` and `reserved` both drop
   * by what shipped, no more (the rest of the order stays reserved).
   */
  async commitSale(tx: Tx, orderId: string, lines: readonly StockLine[], actor: Actor | null, reason = 'order shipped'): Promise<void> {
    await this.bookSale(tx, orderId, lines, actor, reason, -1);
  }

  /**
   * A cancelled shipment: its sale is reversed by compensating `sale` movements with a positive delta
   * (the ledger is never rewritten), and its units are reserved again for the order, to ship again.
   */
  async reverseSale(tx: Tx, orderId: string, lines: readonly StockLine[], actor: Actor | null, reason: string): Promise<void> {
    await this.bookSale(tx, orderId, lines, actor, reason, 1);
  }

  private async bookSale(tx: Tx, orderId: string, lines: readonly StockLine[], actor: Actor | null, reason: string, sign: 1 | -1): Promise<void> {
    const rows = await stock.lock(
      tx,
      lines.map((l) => l.productId),
    );
    const byId = new Map(rows.map((r) => [r.id, r]));
    for (const line of [...lines].sort((a, b) => (a.productId < b.productId ? -1 : 1))) {
      const row = byId.get(line.productId);
      if (!row) throw new NotFoundError('A product of this order');
      const delta = sign * line.quantity;
      await stock.moveSold(tx, line.productId, delta);
      await stock.insertMovement(tx, {
        productId: line.productId,
        type: 'sale',
        delta,
        onHandAfter: row.onHand + delta,
        reason,
        actorId: actor?.id ?? null,
        orderId,
      });
    }
  }
}
