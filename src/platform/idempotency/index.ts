export { IdempotencyStore, type StoredResult } from './idempotency';
export { IdempotencyKeyModel } from './idempotency-key.model';
