export { Housekeeper, type ModulePurge } from './housekeeper';
export { housekeepingJobs } from './housekeeping.jobs';
