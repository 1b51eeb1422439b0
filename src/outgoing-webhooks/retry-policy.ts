/** What one attempt gave, as far as scheduling the next one is concerned. */
export interface AttemptOutcome {
  statusCode: number | null;
  errorKind: 'http-status' | 'timeout' | 'blocked-address' | 'connection' | null;
  /** The receiver's Retry-After, in milliseconds from now, when it sent a valid one. */
  retryAfterMs: number | null;
}

/** After a timeout or a 429 the receiver is overloaded: never sooner than this. */
export const MIN_DELAY_AFTER_OVERLOAD_MS = 60_000;
const JITTER = 0.2;

/**
 * The delay before the next attempt, or null when the schedule is spent. `failures` counts failed
 * attempts so far, this one included: the first failure waits schedule[0]. Each step gets ±20 %
 * jitter so that receivers coming back are not hit by every retry at once. A Retry-After is honoured
 * when it asks for more, up to the schedule's longest step; after a timeout or a 429, at least 60 s.
 */
export function nextRetryDelayMs(failures: number, schedule: readonly number[], outcome: AttemptOutcome, random: () => number = Math.random): number | null {
  const step = schedule[failures - 1];
  if (step === undefined) return null;
  let delay = Math.round(step * (1 - JITTER + 2 * JITTER * random()));
  if (outcome.retryAfterMs !== null) delay = Math.max(delay, Math.min(outcome.retryAfterMs, Math.max(...schedule)));
  if (outcome.errorKind === 'timeout' || outcome.statusCode === 429) delay = Math.max(delay, MIN_DELAY_AFTER_OVERLOAD_MS);
  return delay;
}

/** Retry-After as delay-seconds or an HTTP date, in milliseconds from `now`; null when absent or unreadable. */
export function parseRetryAfter(value: string | undefined, now: number = Date.now()): number | null {
  if (value === undefined || value.trim() === '') return null;
  if (/^\d{1,9}$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}
