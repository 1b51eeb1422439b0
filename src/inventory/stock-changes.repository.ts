import type { DbTarget, Tx } from '../platform/db/db';
import { sql, sqlOne } from '../platform/db/sql';

/** A marked product's figures, read under a share lock at publication time. */
export interface StockFiguresRecord {
  id: string;
  sku: string;
  onHand: number;
  reserved: number;
  incoming: number;
}

interface StockFiguresRow {
  id: string;
  sku: string;
  on_hand: number;
  reserved: number;
  incoming: number;
}

function toStockFiguresRecord(row: StockFiguresRow): StockFiguresRecord {
  return { id: row.id, sku: row.sku, onHand: row.on_hand, reserved: row.reserved, incoming: row.incoming };
}

/**
 * The publisher's SQL: the pass row, the marks (written by stock.repository.ts with each change) and
 * the figures of the marked products. Nothing here runs on a request's path.
 */
export const stockChangesRepository = {
  /** A cheap probe, so an idle service opens no transaction. */
  async anyMarked(db: DbTarget): Promise<boolean> {
    return (await sql(db, 'SELECT 1 FROM stock_change_marks LIMIT 1')).length > 0;
  },

  /**
   * Locks the single pass row unless another instance holds it: 'busy' then, 'too-soon' when the last
   * pass published less than `minGapMs` ago (by the database's clock, shared by every instance).
   */
  async lockPass(tx: Tx, minGapMs: number): Promise<'ready' | 'busy' | 'too-soon'> {
    const row = await sqlOne<{ too_soon: boolean }>(
      tx,
      'SELECT published_at > now() - make_interval(secs => $1) AS too_soon FROM stock_change_pass WHERE id = 1 FOR UPDATE SKIP LOCKED',
      [minGapMs / 1000],
    );
    if (!row) return 'busy';
    return row.too_soon ? 'too-soon' : 'ready';
  },

  async marked(tx: Tx, limit: number): Promise<string[]> {
    const rows = await sql<{ product_id: string }>(tx, 'SELECT product_id FROM stock_change_marks ORDER BY marked_at LIMIT $1', [limit]);
    return rows.map((r) => r.product_id);
  },

  /**
   * The products' current figures, share-locked in id order (the order every stock change locks in,
   * so no deadlock): a change still open on one of them is waited for and then read, so deleting its
   * mark afterwards can never hide it; a change that comes later waits for this pass and marks anew.
   */
  async figures(tx: Tx, ids: readonly string[]): Promise<StockFiguresRecord[]> {
    const sorted = [...ids].sort();
    const rows = await sql<StockFiguresRow>(tx, 'SELECT id, sku, on_hand, reserved, incoming FROM products WHERE id = ANY($1::uuid[]) ORDER BY id FOR SHARE', [
      sorted,
    ]);
    return rows.map(toStockFiguresRecord);
  },

  async unmark(tx: Tx, ids: readonly string[]): Promise<void> {
    await sql(tx, 'DELETE FROM stock_change_marks WHERE product_id = ANY($1::uuid[])', [ids]);
  },

  /**
   * When the pass ends (clock_timestamp, not the transaction's start: a pass that waited for a lock
   * wrote its events late, and the next pass must start a second after those).
   */
  async published(tx: Tx): Promise<void> {
    await sql(tx, 'UPDATE stock_change_pass SET published_at = clock_timestamp() WHERE id = 1');
  },
};
