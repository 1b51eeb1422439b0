import { RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { AppError } from '../errors';
import type { LimiterFactory } from './limiter-factory';

export interface RateLimitPolicy {
  /** Names the policy in the `RateLimit-Policy` and `RateLimit` headers (and the counters). */
  readonly name: string;
  /** Requests allowed per window; 0 turns the limit off. */
  readonly limit: number;
  readonly windowSeconds: number;
}

/**
 * One rate limit on one kind of request, keyed by whoever is limited (a client address, a session,
 * a user). Past the limit it throws a 429 problem carrying `Retry-After` and the IETF draft
 * `RateLimit-Policy` / `RateLimit` headers (draft-ietf-httpapi-ratelimit-headers).
 */
export class RateLimit {
  private readonly limiter: RateLimiterAbstract | null;

  constructor(
    private readonly policy: RateLimitPolicy,
    factory: LimiterFactory,
  ) {
    this.limiter = policy.limit > 0 ? factory(`rate-${policy.name}`, policy.limit, policy.windowSeconds) : null;
  }

  /** Counts one request of `key`; throws the 429 once the window's allowance is used up. */
  async consume(key: string): Promise<void> {
    if (!this.limiter) return;
    try {
      await this.limiter.consume(key);
    } catch (err) {
      if (!(err instanceof RateLimiterRes)) throw err;
      const { name, limit, windowSeconds } = this.policy;
      const retryAfter = Math.max(1, Math.ceil(err.msBeforeNext / 1000));
      throw new AppError('rate-limited', 429, `Too many requests of this kind; retry in ${retryAfter} seconds.`, {
        headers: {
          'Retry-After': String(retryAfter),
          'RateLimit-Policy': `"${name}";q=${limit};w=${windowSeconds}`,
          RateLimit: `"${name}";r=0;t=${retryAfter}`,
        },
      });
    }
  }
}
