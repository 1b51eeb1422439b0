import type { Db } from '../platform/db/db';
import type { Logger } from 'pino';
import type { Config } from '../platform/config';
import { jobOf, type ModuleJobs } from '../platform/background/background-jobs';
import { EventDispatcher } from './event-dispatcher';
import type { RealtimeGateway } from './socket-gateway';

/** The realtime module's background work: the dispatcher that hands committed outbox events to the gateway. */
export function realtimeJobs(db: Db, gateway: RealtimeGateway, settings: Config['realtime'], logger: Logger): ModuleJobs<{ dispatcher: EventDispatcher }> {
  const dispatcher = new EventDispatcher(db, (events) => gateway.deliver(events), logger, {
    pollIntervalMs: settings.dispatchPollMs,
    gapTimeoutMs: settings.gapTimeoutMs,
    batchSize: 500,
    batchWindowMs: settings.dispatchBatchWindowMs,
  });
  return { dispatcher, jobs: [jobOf('event dispatch', dispatcher, () => dispatcher.drain())] };
}
