import type { Logger } from 'pino';
import type { OrdersService } from './orders.service';

/**
 * Periodically cancels unpaid orders past their reservation. The state lives in the database, not in
 * a per-process timer, so a restart forgets nothing and several instances may sweep at once.
 */
export class OrderExpirySweeper {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

  constructor(
    private readonly orders: OrdersService,
    private readonly intervalMs: number,
    private readonly logger: Logger,
  ) {}

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => {
      void this.sweepOnce();
    }, this.intervalMs);
    this.timer.unref();
  }

  async sweepOnce(): Promise<void> {
    if (this.running) return this.running;
    this.running = this.orders
      .expireOverdue()
      .then(() => undefined)
      .catch((err: unknown) => this.logger.warn({ err }, 'order expiry sweep failed; will retry'))
      .finally(() => {
        this.running = undefined;
      });
    return this.running;
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }
}
