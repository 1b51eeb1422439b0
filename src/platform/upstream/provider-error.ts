/**
 * What went wrong in a call to a provider, in our words. Each provider client classifies its SDK's
 * errors into one of these kinds; the call policy decides from the kind whether to retry and whether
 * the failure counts against the provider's circuit breaker.
 */
export type ProviderFailureKind =
  /** connection refused, reset, DNS: the request may not have arrived */
  | 'network'
  /** no answer within the timeout: the request may have been acted on */
  | 'timeout'
  /** 429 */
  | 'rate-limited'
  /** 5xx */
  | 'server'
  /** 4xx other than 429: the provider refused this request; sending it again changes nothing */
  | 'rejected'
  /** a redirect, a body that is not JSON, too large, or lacks what we need */
  | 'bad-response';

export class ProviderError extends Error {
  constructor(
    readonly provider: string,
    readonly kind: ProviderFailureKind,
    message: string,
    readonly httpStatus?: number,
    cause?: unknown,
  ) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = 'ProviderError';
  }
}

/** Worth another attempt for an operation that is safe to repeat. */
export function isTransient(err: unknown): boolean {
  return err instanceof ProviderError && (err.kind === 'network' || err.kind === 'timeout' || err.kind === 'rate-limited' || err.kind === 'server');
}

/** Counts against the breaker: the provider is not answering sensibly (a 4xx means it is healthy). */
export function isProviderFault(err: unknown): boolean {
  return isTransient(err) || (err instanceof ProviderError && err.kind === 'bad-response');
}
