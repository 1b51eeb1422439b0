import type { Logger } from 'pino';
import { BackgroundLoop } from '../platform/background/background-loop';
import type { ModuleJobs } from '../platform/background/background-jobs';
import type { PaymentsService } from './payments.service';

/**
 * The payments module's background work: making the refunds recorded by a cancel whose call to the
 * provider failed, or never happened (a crash).
 */
export function paymentJobs(payments: PaymentsService, settings: { sweeperIntervalMs: number }, logger: Logger): ModuleJobs {
  return { jobs: [new BackgroundLoop('refund retry', settings.sweeperIntervalMs, () => payments.retryDueRefunds(), logger)] };
}
