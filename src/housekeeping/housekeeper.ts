import type { Logger } from 'pino';
import { BackgroundLoop } from '../platform/background/background-loop';
import type { ModulePurge } from '../platform/background/module-purge';

export type { ModulePurge } from '../platform/background/module-purge';

const BATCH = 5_000;
/** Each run stops after this long and goes on at the next one, so it never hogs a connection. */
const RUN_BUDGET_MS = 2_000;

/**
 * Deletes what the service no longer needs, in small batches, by running the purges it is given:
 * each module purges its own tables (idempotency keys past their 24 h, refresh tokens a day past
 * their expiry, dispatched events older than the replay retention, old webhook deliveries), so no
 * SQL here names a table. Safe to run on every instance at once (each purge picks its rows with
 * SKIP LOCKED).
 */
export class Housekeeper {
  private readonly loop: BackgroundLoop;

  constructor(
    private readonly logger: Logger,
    intervalMs: number,
    private readonly purges: readonly ModulePurge[],
  ) {
    this.loop = new BackgroundLoop('housekeeping', intervalMs, () => this.purgeAll(), logger);
  }

  start(): void {
    this.loop.start();
  }

  stop(): Promise<void> {
    return this.loop.stop();
  }

  /** One pass over every purge. */
  runOnce(): Promise<void> {
    return this.loop.runOnce();
  }

  private async purgeAll(): Promise<void> {
    const deadline = Date.now() + RUN_BUDGET_MS;
    for (const purge of this.purges) {
      let total = 0;
      try {
        for (;;) {
          const deleted = await purge.run(BATCH);
          total += deleted;
          if (deleted < BATCH || Date.now() > deadline) break;
        }
      } catch (err) {
        this.logger.warn({ err, what: purge.what }, 'housekeeping failed; will retry');
      }
      if (total > 0) this.logger.info({ what: purge.what, deleted: total }, 'housekeeping');
    }
  }
}
