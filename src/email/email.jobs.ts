import { jobOf, type ModuleJobs } from '../platform/background/background-jobs';
import type { Email } from './email';

/** The email module's background work: the mail fan-out from the outbox and the SMTP worker. */
export function emailJobs(email: Email): ModuleJobs {
  return { jobs: [jobOf('email', email)] };
}
