import { RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { AppError } from '../platform/errors';
import type { LimiterFactory } from '../platform/rate-limit';

/** Wrong current passwords a user may send to POST /auth/password in the window (issue 26). */
export const PASSWORD_CHANGE_MAX_FAILURES = 5;
export const PASSWORD_CHANGE_WINDOW_SECONDS = 15 * 60;

/**
 * Guesses of the current password through POST /auth/password, counted per user (whoever holds
 * one of its access tokens: a stolen token must not become a password oracle): past 5 failures in
 * 15 minutes the endpoint answers 429 until the window ends. With Redis the count is shared by
 * every instance (see createLimiterFactory).
 *
 * An attempt is counted *before* its check and given back when the password was right: guesses
 * sent in parallel cannot all pass a check that the failures have not reached yet.
 */
export class PasswordChangeThrottle {
  private readonly attempts: RateLimiterAbstract;

  constructor(limiters: LimiterFactory) {
    this.attempts = limiters('password-change-fail', PASSWORD_CHANGE_MAX_FAILURES, PASSWORD_CHANGE_WINDOW_SECONDS);
  }

  /** Runs `check` (true: the current password is right) unless the user is blocked (429). */
  async attempt(userId: string, check: () => Promise<boolean>): Promise<boolean> {
    try {
      await this.attempts.consume(userId);
    } catch (err) {
      if (!(err instanceof RateLimiterRes)) throw err;
      const retryAfter = Math.max(1, Math.ceil(err.msBeforeNext / 1000));
      throw new AppError('too-many-attempts', 429, `Too many wrong current passwords; retry in ${retryAfter} seconds.`, {
        headers: { 'Retry-After': String(retryAfter) },
      });
    }
    const right = await check();
    if (right) await this.attempts.delete(userId);
    return right;
  }
}
