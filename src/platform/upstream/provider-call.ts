import {
  ConsecutiveBreaker,
  ExponentialBackoff,
  TimeoutStrategy,
  circuitBreaker,
  handleWhen,
  isBrokenCircuitError,
  retry,
  TaskCancelledError,
  timeout,
  type CircuitBreakerPolicy,
  type RetryPolicy,
  type TimeoutPolicy,
} from 'cockatiel';
import type { Logger } from 'pino';
import type { ProviderCallPolicy } from '../config';
import { AppError, UpstreamError } from '../errors';
import { ProviderError, isProviderFault, isTransient } from './provider-error';

export interface CallOptions {
  /** What the call does, for logs and problems: "create a PaymentIntent". */
  operation: string;
  /** Safe to repeat (idempotent at the provider): retried on network errors, timeouts, 429 and 5xx. */
  safe: boolean;
}

/**
 * Every outbound call to one provider goes through here: a timeout per attempt, capped exponential
 * backoff with jitter for safe calls, and one circuit breaker per provider that stops calling a
 * provider that keeps failing and lets a single probe through after `breakerHalfOpenAfterMs`.
 * Failures leave as UpstreamError: 503 while the breaker is open, 502 otherwise.
 */
export class ProviderCaller {
  private readonly breaker: CircuitBreakerPolicy;
  private readonly retry: RetryPolicy;
  private readonly timeout: TimeoutPolicy;

  constructor(
    readonly provider: string,
    private readonly label: string,
    private readonly policy: ProviderCallPolicy,
    private readonly logger: Logger,
  ) {
    this.breaker = circuitBreaker(handleWhen(isProviderFault), {
      halfOpenAfter: policy.breakerHalfOpenAfterMs,
      breaker: new ConsecutiveBreaker(policy.breakerThreshold),
    });
    // ExponentialBackoff's default generator is "decorrelated jitter", capped at maxDelay.
    this.retry = retry(handleWhen(isTransient), {
      maxAttempts: policy.retryMaxAttempts,
      backoff: new ExponentialBackoff({ initialDelay: policy.retryBaseDelayMs, maxDelay: policy.retryMaxDelayMs }),
    });
    this.timeout = timeout(policy.timeoutMs, TimeoutStrategy.Aggressive);
    this.breaker.onBreak(() => this.logger.warn({ provider }, 'provider circuit opened: calls stop until a probe succeeds'));
    this.breaker.onReset(() => this.logger.info({ provider }, 'provider circuit closed'));
  }

  /** Whether calls currently go out (closed or half-open). */
  get state(): string {
    return String(this.breaker.state);
  }

  async call<T>(options: CallOptions, fn: () => Promise<T>): Promise<T> {
    const attempt = async () => {
      try {
        return await this.timeout.execute(() => fn());
      } catch (err) {
        throw this.classify(err);
      }
    };
    try {
      return await this.breaker.execute(() => (options.safe ? this.retry.execute(attempt) : attempt()));
    } catch (err) {
      throw this.toUpstream(err, options);
    }
  }

  /** Our timeout is a provider timeout (retried when safe); anything unrecognised is an unusable answer. */
  private classify(err: unknown): unknown {
    if (err instanceof ProviderError || err instanceof AppError) return err;
    // cockatiel 3's isTaskCancelledError() tests the wrong property; instanceof is reliable.
    if (err instanceof TaskCancelledError) return new ProviderError(this.provider, 'timeout', `no answer within ${this.policy.timeoutMs} ms`, undefined, err);
    return new ProviderError(this.provider, 'bad-response', 'unexpected failure', undefined, err);
  }

  private toUpstream(err: unknown, options: CallOptions): unknown {
    if (err instanceof AppError) return err;
    const retryAfter = String(Math.max(1, Math.ceil(this.policy.breakerHalfOpenAfterMs / 1000)));
    if (isBrokenCircuitError(err)) {
      return new UpstreamError('provider-unavailable', 503, `${this.label} is unavailable after repeated failures; retry later.`, err, {
        'Retry-After': retryAfter,
      });
    }
    const failure = this.classify(err);
    if (!(failure instanceof ProviderError)) return failure;
    this.logger.warn(
      { provider: this.provider, operation: options.operation, kind: failure.kind, httpStatus: failure.httpStatus, err: failure.message },
      'provider call failed',
    );
    switch (failure.kind) {
      case 'timeout':
        return new UpstreamError(
          'provider-timeout',
          502,
          `${this.label} did not answer in time (${options.operation}); nothing was changed, retry shortly.`,
          failure,
        );
      case 'rejected':
        return new UpstreamError('provider-rejected', 502, `${this.label} refused to ${options.operation}: ${failure.message}`, failure);
      case 'bad-response':
        return new UpstreamError(
          'provider-bad-response',
          502,
          `${this.label} answered something unusable (${options.operation}); nothing was changed.`,
          failure,
        );
      default:
        return new UpstreamError('provider-error', 502, `${this.label} failed to ${options.operation}; nothing was changed, retry shortly.`, failure);
    }
  }
}

/** Names what a provider lacks; asking for an unconfigured provider is a 422 naming the settings. */
export class ProviderRegistry<P> {
  private readonly available = new Map<string, P>();
  private readonly missing = new Map<string, readonly string[]>();

  constructor(private readonly kind: string) {}

  offer(name: string, provider: P | null, missingSettings: readonly string[]): this {
    if (provider && missingSettings.length === 0) this.available.set(name, provider);
    else this.missing.set(name, missingSettings);
    return this;
  }

  get(name: string): P {
    const provider = this.available.get(name);
    if (provider) return provider;
    const missing = this.missing.get(name) ?? [];
    throw new AppError(
      'provider-not-configured',
      422,
      `The ${name} ${this.kind} is not configured on this service${missing.length ? `: set ${missing.join(', ')}` : ''}.`,
      { extra: { provider: name, missingSettings: missing } },
    );
  }
}
