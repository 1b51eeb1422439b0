import { RateLimiterMemory, RateLimiterRedis, type RateLimiterAbstract, type RateLimiterRes } from 'rate-limiter-flexible';
import type { Redis } from 'ioredis';
import type { Config } from '../platform/config';
import { AppError } from '../platform/errors';

/**
 * Counts failed sign-ins per account and per client address. Past the limit every attempt is a 429
 * with Retry-After, wherever it comes from; a success clears the account's count. With Redis the
 * counts are shared by every instance; memory is the fallback (and the insurance if Redis fails).
 */
export class LoginThrottle {
  private readonly byAccount: RateLimiterAbstract;
  private readonly byAddress: RateLimiterAbstract;

  constructor(
    private readonly config: Config['login'],
    redis: Redis | null,
    redisKeyPrefix: string,
  ) {
    const duration = config.windowMinutes * 60;
    const make = (keyPrefix: string, points: number): RateLimiterAbstract => {
      const memory = new RateLimiterMemory({ keyPrefix, points, duration });
      return redis
        ? new RateLimiterRedis({ storeClient: redis, keyPrefix: `${redisKeyPrefix}:${keyPrefix}`, points, duration, insuranceLimiter: memory })
        : memory;
    };
    this.byAccount = make('login-fail-account', config.maxFailures);
    this.byAddress = make('login-fail-ip', config.maxFailuresPerIp);
  }

  async assertAllowed(email: string, address: string): Promise<void> {
    const [account, ip] = await Promise.all([this.byAccount.get(accountKey(email)), this.byAddress.get(address)]);
    const blocked = [
      { res: account, max: this.config.maxFailures },
      { res: ip, max: this.config.maxFailuresPerIp },
    ].filter((c): c is { res: RateLimiterRes; max: number } => c.res !== null && c.res.consumedPoints >= c.max);
    if (blocked.length > 0) {
      const retryAfter = Math.max(1, Math.ceil(Math.max(...blocked.map((b) => b.res.msBeforeNext)) / 1000));
      throw new AppError('too-many-attempts', 429, `Too many failed sign-ins; retry in ${retryAfter} seconds.`, {
        headers: { 'Retry-After': String(retryAfter) },
      });
    }
  }

  async recordFailure(email: string, address: string): Promise<void> {
    await Promise.all([
      this.byAccount.penalty(accountKey(email), 1),
      this.byAddress.penalty(address, 1),
    ]);
  }

  async recordSuccess(email: string): Promise<void> {
    await this.byAccount.delete(accountKey(email));
  }
}

function accountKey(email: string): string {
  return email.trim().toLowerCase();
}
