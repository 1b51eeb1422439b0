import { createHash, timingSafeEqual } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import { NotFoundError, UnauthorizedError } from '../errors';

export interface MetricsAccess {
  /** When set, the public port serves /metrics only to `Authorization: Bearer <token>`. */
  readonly token: string | null;
  /** Without a token: whether the public port serves /metrics at all (never in production). */
  readonly openWithoutToken: boolean;
}

const digest = (value: string) => createHash('sha256').update(value).digest();

/**
 * Guards /metrics on the public port: the figures (Node version, order and sign-in volumes) are
 * for operators. A production service without METRICS_TOKEN does not serve them there (404, as if
 * absent); METRICS_PORT serves them on 127.0.0.1 instead.
 */
export function metricsGuard(access: MetricsAccess) {
  const expected = access.token === null ? null : digest(access.token);
  return (req: Request, _res: Response, next: NextFunction): void => {
    if (expected === null) {
      next(access.openWithoutToken ? undefined : new NotFoundError('The resource'));
      return;
    }
    const header = req.headers.authorization ?? '';
    const presented = header.startsWith('Bearer ') ? header.slice('Bearer '.length) : '';
    // Compared as digests: same length whatever was sent, so the comparison leaks nothing.
    if (presented !== '' && timingSafeEqual(digest(presented), expected)) {
      next();
      return;
    }
    next(new UnauthorizedError(presented === '' ? 'A metrics token is required.' : 'The metrics token is not valid.'));
  };
}
