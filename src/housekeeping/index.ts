export { Housekeeper } from './housekeeper';
export { housekeepingJobs } from './housekeeping.jobs';
