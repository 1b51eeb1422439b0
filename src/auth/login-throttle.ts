import { setTimeout as sleep } from 'node:timers/promises';
import type { RateLimiterAbstract, RateLimiterRes } from 'rate-limiter-flexible';
import type { Config } from '../platform/config';
import { AppError } from '../platform/errors';
import type { LimiterFactory } from '../platform/rate-limit';

/**
 * Failed sign-ins, counted so that an attacker cannot lock the owner out (OWASP Authentication
 * cheat sheet): the hard block (429) is per (account, client address) and per client address;
 * per account, failures from everywhere only slow every attempt down, and the right password from
 * another address still gets in. A success clears the account's counts. With Redis the counts are
 * shared by every instance (see createLimiterFactory).
 */
export class LoginThrottle {
  private readonly byAccountAddress: RateLimiterAbstract;
  private readonly byAddress: RateLimiterAbstract;
  private readonly byAccount: RateLimiterAbstract;

  constructor(
    private readonly config: Config['login'],
    limiters: LimiterFactory,
  ) {
    const duration = config.windowMinutes * 60;
    const make = (name: string, points: number): RateLimiterAbstract => limiters(name, points, duration);
    this.byAccountAddress = make('login-fail-account-ip', config.maxFailures);
    this.byAddress = make('login-fail-ip', config.maxFailuresPerIp);
    // Counted past the limit (the points are only a ceiling): the slow-down starts at maxFailures.
    this.byAccount = make('login-fail-account', Number.MAX_SAFE_INTEGER);
  }

  /** Refuses a blocked (account, address) or address with 429; slows an account under attack down. */
  async assertAllowed(email: string, address: string): Promise<void> {
    const [pair, ip, account] = await Promise.all([
      this.byAccountAddress.get(pairKey(email, address)),
      this.byAddress.get(address),
      this.byAccount.get(accountKey(email)),
    ]);
    const blocked = [
      { res: pair, max: this.config.maxFailures },
      { res: ip, max: this.config.maxFailuresPerIp },
    ].filter((c): c is { res: RateLimiterRes; max: number } => c.res !== null && c.res.consumedPoints >= c.max);
    if (blocked.length > 0) {
      const retryAfter = Math.max(1, Math.ceil(Math.max(...blocked.map((b) => b.res.msBeforeNext)) / 1000));
      throw new AppError('too-many-attempts', 429, `Too many failed sign-ins; retry in ${retryAfter} seconds.`, {
        headers: { 'Retry-After': String(retryAfter) },
      });
    }
    if (account !== null && account.consumedPoints >= this.config.maxFailures && this.config.slowDownMs > 0) {
      await sleep(this.config.slowDownMs);
    }
  }

  async recordFailure(email: string, address: string): Promise<void> {
    await Promise.all([
      this.byAccountAddress.penalty(pairKey(email, address), 1),
      this.byAddress.penalty(address, 1),
      this.byAccount.penalty(accountKey(email), 1),
    ]);
  }

  async recordSuccess(email: string, address: string): Promise<void> {
    await Promise.all([this.byAccountAddress.delete(pairKey(email, address)), this.byAccount.delete(accountKey(email))]);
  }
}

function accountKey(email: string): string {
  return email.trim().toLowerCase();
}

function pairKey(email: string, address: string): string {
  return `${address}|${accountKey(email)}`;
}
