import type { Logger } from 'pino';
import { BackgroundLoop } from '../platform/background/background-loop';
import type { OrdersService } from './orders.service';

/**
 * Periodically cancels unpaid orders past their reservation. The state lives in the database, not in
 * a per-process timer, so a restart forgets nothing and several instances may sweep at once.
 */
export class OrderExpirySweeper {
  private readonly loop: BackgroundLoop;

  constructor(orders: OrdersService, intervalMs: number, logger: Logger) {
    this.loop = new BackgroundLoop('order expiry sweep', intervalMs, () => orders.expireOverdue(), logger);
  }

  start(): void {
    this.loop.start();
  }

  sweepOnce(): Promise<void> {
    return this.loop.runOnce();
  }

  stop(): Promise<void> {
    return this.loop.stop();
  }
}
