import { jobOf, type ModuleJobs } from '../platform/background/background-jobs';
import type { OutgoingWebhooks } from './outgoing-webhooks';

/** The outgoing-webhooks module's background work: the fan-out from the outbox and the delivery worker. */
export function outgoingWebhookJobs(hooks: OutgoingWebhooks): ModuleJobs {
  return { jobs: [jobOf('outgoing webhooks', hooks)] };
}
