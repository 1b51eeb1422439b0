export { IdempotencyStore, type IdempotentRequest, type StoredResult } from './idempotency';
export { IdempotencyKeyModel } from './idempotency-key.model';
export { idempotencyKeyPurge } from './idempotency-purge';
