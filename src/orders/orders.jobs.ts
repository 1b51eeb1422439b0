import type { Logger } from 'pino';
import { jobOf, type ModuleJobs } from '../platform/background/background-jobs';
import { OrderExpirySweeper } from './order-expiry.sweeper';
import type { OrdersService } from './orders.service';

/** The orders module's background work: cancelling unpaid orders past their reservation. */
export function orderJobs(orders: OrdersService, settings: { sweeperIntervalMs: number }, logger: Logger): ModuleJobs<{ sweeper: OrderExpirySweeper }> {
  const sweeper = new OrderExpirySweeper(orders, settings.sweeperIntervalMs, logger);
  return { sweeper, jobs: [jobOf('order expiry sweep', sweeper, () => sweeper.sweepOnce())] };
}
