import type { Logger } from 'pino';
import type { Db } from '../platform/db/db';
import { BackgroundLoop } from '../platform/background/background-loop';
import { recordEvents } from '../platform/events';
import { stockChangesRepository as changes } from './stock-changes.repository';

/** The contract's promise: at most one `inventory.stock_changed` per product per second. */
const MIN_GAP_MS = 1000;
/** How often each instance looks; a pass then waits for the gap, so events follow changes within ~1.25 s. */
const TICK_MS = 250;
/** Products per pass: keeps the pass's share locks short; the rest go out in the next pass. */
const BATCH = 500;

/**
 * Publishes `inventory.stock_changed` for every product whose `on_hand` or `reserved` changed.
 *
 * - The change marks the product in its own transaction (stock.repository.ts, fused into the statement
 *   that changes the figures: no extra round trip on order placement), so a mark exists exactly when
 *   the change does, and a crash loses none.
 * - A pass reads the marked products' figures under a share lock (waiting for a change still open),
 *   writes one event per product to the outbox and deletes the marks, in one transaction: a crash
 *   before the commit leaves the marks for the next pass; a change after the read marks again. So the
 *   last event of a product always carries its final figures.
 * - Passes are serialised across instances by the single `stock_change_pass` row and start at least
 *   a second apart by the database's clock: at most one event per product per second, whichever
 *   instance publishes.
 */
export class StockFiguresPublisher {
  private readonly loop: BackgroundLoop;

  constructor(
    private readonly db: Db,
    logger: Logger,
  ) {
    this.loop = new BackgroundLoop('stock figures publication', TICK_MS, () => this.publish(), logger);
  }

  start(): void {
    this.loop.start();
  }

  /** One pass now (tests); it still honours the one-second gap. */
  publishOnce(): Promise<void> {
    return this.loop.runOnce();
  }

  stop(): Promise<void> {
    return this.loop.stop();
  }

  private async publish(): Promise<number> {
    if (!(await changes.anyMarked(this.db))) return 0;
    return this.db.transaction(async (tx) => {
      if ((await changes.lockPass(tx, MIN_GAP_MS)) !== 'ready') return 0;
      const ids = await changes.marked(tx, BATCH);
      if (ids.length === 0) return 0;
      const figures = await changes.figures(tx, ids);
      await changes.unmark(tx, ids);
      await recordEvents(
        tx,
        figures.map((p) => ({
          type: 'inventory.stock_changed' as const,
          data: { productId: p.id, sku: p.sku, onHand: p.onHand, reserved: p.reserved, available: p.onHand - p.reserved, incoming: p.incoming },
        })),
      );
      await changes.published(tx);
      return figures.length;
    });
  }
}
