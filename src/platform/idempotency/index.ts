export { IdempotencyStore, type StoredResult } from './idempotency';
