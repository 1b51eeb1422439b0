import pino, { type Logger } from 'pino';
import { currentRequestId } from './request-context';

/** Creates the process logger: JSON to stdout, each line stamped with the current request id. */
export function createLogger(level: string): Logger {
  return pino({
    level,
    base: { service: 'quickstock' },
    timestamp: pino.stdTimeFunctions.isoTime,
    mixin() {
      const requestId = currentRequestId();
      return requestId ? { requestId } : {};
    },
    redact: {
      paths: [
        'req.headers.authorization',
        'req.headers.cookie',
        '*.password',
        '*.refreshToken',
        '*.accessToken',
        'password',
        'refreshToken',
      ],
      censor: '[redacted]',
    },
  });
}

export type { Logger };
