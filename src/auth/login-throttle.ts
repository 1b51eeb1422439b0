import { setTimeout as sleep } from 'node:timers/promises';
import type { RateLimiterAbstract, RateLimiterRes } from 'rate-limiter-flexible';
import type { Config } from '../platform/config';
import { AppError } from '../platform/errors';
import type { ConcurrencyGate, LimiterFactory } from '../platform/rate-limit';

/**
 * Failed sign-ins, counted so that an attacker cannot lock the owner out (OWASP Authentication
 * cheat sheet): the hard block (429) is per (account, client address) and per client address;
 * per account, failures from everywhere only slow every attempt down, and the right password from
 * another address still gets in. A success clears the account's counts. With Redis the counts are
 * shared by every instance (see createLimiterFactory).
 *
 * A slow-down alone does not slow guesses sent in parallel: while an account is under attack its
 * attempts also pass a gate of LOGIN_CONCURRENT_PER_ACCOUNT slots (default 1; across instances
 * through Redis), held for the slow-down and the password check. An attempt that finds no free slot
 * is answered 429 at once with a short Retry-After, without being evaluated, so guesses on one
 * account run one after another, each at least LOGIN_SLOWDOWN_MS apart. The account itself is never
 * blocked: the owner's attempt that finds the slot free (a retry after a second, at worst) gets in.
 */
export class LoginThrottle {
  private readonly byAccountAddress: RateLimiterAbstract;
  private readonly byAddress: RateLimiterAbstract;
  private readonly byAccount: RateLimiterAbstract;

  constructor(
    private readonly config: Config['login'],
    limiters: LimiterFactory,
    private readonly gate: ConcurrencyGate,
  ) {
    const duration = config.windowMinutes * 60;
    const make = (name: string, points: number): RateLimiterAbstract => limiters(name, points, duration);
    this.byAccountAddress = make('login-fail-account-ip', config.maxFailures);
    this.byAddress = make('login-fail-ip', config.maxFailuresPerIp);
    // Counted past the limit (the points are only a ceiling): the slow-down starts at maxFailures.
    this.byAccount = make('login-fail-account', Number.MAX_SAFE_INTEGER);
  }

  /**
   * Runs one sign-in attempt (`check` answers the user when the credentials are right): refused with
   * 429 when the (account, address) or the address is blocked, or when the account is under attack
   * and its slots are all taken; otherwise slowed down while under attack, then counted.
   */
  async attempt<T>(email: string, address: string, check: () => Promise<T | null>): Promise<T | null> {
    const underAttack = await this.assertAllowed(email, address);
    if (!underAttack) return this.counted(email, address, check);
    const release = await this.gate.tryEnter(accountKey(email));
    if (!release) {
      const retryAfter = Math.max(1, Math.ceil(this.config.slowDownMs / 1000));
      throw new AppError('too-many-attempts', 429, `Another sign-in to this account is being checked; retry in ${retryAfter} seconds.`, {
        headers: { 'Retry-After': String(retryAfter) },
      });
    }
    try {
      if (this.config.slowDownMs > 0) await sleep(this.config.slowDownMs);
      return await this.counted(email, address, check);
    } finally {
      await release();
    }
  }

  private async counted<T>(email: string, address: string, check: () => Promise<T | null>): Promise<T | null> {
    const user = await check();
    if (user === null) await this.recordFailure(email, address);
    else await this.recordSuccess(email, address);
    return user;
  }

  /** Refuses a blocked (account, address) or address with 429; true while the account is under attack. */
  private async assertAllowed(email: string, address: string): Promise<boolean> {
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
    return account !== null && account.consumedPoints >= this.config.maxFailures;
  }

  private async recordFailure(email: string, address: string): Promise<void> {
    await Promise.all([
      this.byAccountAddress.penalty(pairKey(email, address), 1),
      this.byAddress.penalty(address, 1),
      this.byAccount.penalty(accountKey(email), 1),
    ]);
  }

  private async recordSuccess(email: string, address: string): Promise<void> {
    await Promise.all([this.byAccountAddress.delete(pairKey(email, address)), this.byAccount.delete(accountKey(email))]);
  }
}

function accountKey(email: string): string {
  return email.trim().toLowerCase();
}

function pairKey(email: string, address: string): string {
  return `${address}|${accountKey(email)}`;
}
