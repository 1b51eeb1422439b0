export { createLimiterFactory, type LimiterFactory } from './limiter-factory';
export { RateLimit, type RateLimitPolicy } from './rate-limit';
export { clientKeyOf } from './client-key';
export { createConcurrencyGate, type ConcurrencyGate, type ReleaseSlot } from './concurrency-gate';
