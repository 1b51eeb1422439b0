import type { Sequelize } from 'sequelize-typescript';
import { QueryTypes } from 'sequelize';
import type { Logger } from 'pino';
import { BackgroundLoop } from '../platform/background/background-loop';

const BATCH = 5_000;
/** Each run stops after this long and goes on at the next one, so it never hogs a connection. */
const RUN_BUDGET_MS = 2_000;

interface PurgeRule {
  what: string;
  /** Deletes at most :batch rows; returns them. */
  sql: string;
}

/** A purge a module runs on its own tables (its SQL stays in its repository): deletes at most `batch` rows, returns how many. */
export interface ModulePurge {
  what: string;
  run(batch: number): Promise<number>;
}

/**
 * Deletes what the service no longer needs, in small batches: idempotency keys past their 24 h,
 * refresh tokens a day past their expiry, and dispatched events older than the replay retention.
 * Safe to run on every instance at once (each DELETE picks its rows with SKIP LOCKED).
 */
export class Housekeeper {
  private readonly loop: BackgroundLoop;
  private readonly rules: PurgeRule[];

  constructor(
    private readonly sequelize: Sequelize,
    private readonly logger: Logger,
    intervalMs: number,
    eventRetentionHours: number,
    private readonly modulePurges: readonly ModulePurge[] = [],
  ) {
    const purge = (table: string, key: string, where: string) =>
      `DELETE FROM ${table} WHERE ${key} IN (SELECT ${key} FROM ${table} WHERE ${where} LIMIT :batch FOR UPDATE SKIP LOCKED) RETURNING 1`;
    this.rules = [
      { what: 'idempotency keys', sql: purge('idempotency_keys', 'ctid', 'expires_at < now()') },
      { what: 'refresh tokens', sql: purge('refresh_tokens', 'id', "expires_at < now() - interval '1 day'") },
      {
        what: 'events',
        sql: purge('events', 'id', `dispatched_at IS NOT NULL AND occurred_at < now() - make_interval(hours => ${Math.floor(eventRetentionHours)})`),
      },
    ];
    this.loop = new BackgroundLoop('housekeeping', intervalMs, () => this.purgeAll(), logger);
  }

  start(): void {
    this.loop.start();
  }

  stop(): Promise<void> {
    return this.loop.stop();
  }

  /** One pass over every rule. */
  runOnce(): Promise<void> {
    return this.loop.runOnce();
  }

  private async purgeAll(): Promise<void> {
    const deadline = Date.now() + RUN_BUDGET_MS;
    for (const rule of this.rules) {
      let total = 0;
      try {
        for (;;) {
          const rows = await this.sequelize.query(rule.sql, { replacements: { batch: BATCH }, type: QueryTypes.SELECT });
          total += (rows as unknown[]).length;
          if ((rows as unknown[]).length < BATCH || Date.now() > deadline) break;
        }
      } catch (err) {
        this.logger.warn({ err, what: rule.what }, 'housekeeping failed; will retry');
      }
      if (total > 0) this.logger.info({ what: rule.what, deleted: total }, 'housekeeping');
    }
    for (const purge of this.modulePurges) {
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
