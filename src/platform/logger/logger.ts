import pino, { type Logger } from 'pino';
import pretty from 'pino-pretty';
import { currentRequestId } from './request-context';

export type LogFormat = 'pretty' | 'json';

/** `auto` means pretty for a person at a terminal, JSON lines for machines (containers, CI, files). */
export function resolveLogFormat(setting: 'auto' | LogFormat, stdoutIsTerminal: boolean): LogFormat {
  if (setting !== 'auto') return setting;
  return stdoutIsTerminal ? 'pretty' : 'json';
}

/**
 * Creates the process logger, each line stamped with the current request id: JSON lines to stdout,
 * or the same records made readable (pino-pretty, written synchronously so nothing is lost on exit).
 */
export function createLogger(level: string, format: LogFormat = 'json'): Logger {
  const stream = format === 'pretty' ? pretty({ colorize: true, sync: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname,service' }) : undefined;
  return pino(
    {
      level,
      base: { service: 'quickstock' },
      timestamp: pino.stdTimeFunctions.isoTime,
      mixin() {
        const requestId = currentRequestId();
        return requestId ? { requestId } : {};
      },
      redact: {
        paths: ['req.headers.authorization', 'req.headers.cookie', '*.password', '*.refreshToken', '*.accessToken', 'password', 'refreshToken'],
        censor: '[redacted]',
      },
    },
    stream,
  );
}

export type { Logger };
