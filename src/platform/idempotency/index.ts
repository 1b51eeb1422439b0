export { IdempotencyStore, storedJson, type IdempotentRequest, type StoredResult } from './idempotency';
export { sendStored } from './send-stored';
export { IdempotencyKeyModel } from './idempotency-key.model';
export { idempotencyKeyPurge } from './idempotency-purge';
