import type { ErrorRequestHandler, Request, RequestHandler, Response } from 'express';
import type { Logger } from 'pino';
import { AppError, ValidationError, translateDatabaseError, type FieldError } from '../errors';
import { currentRequestId } from '../logger';

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  406: 'Not Acceptable',
  409: 'Conflict',
  412: 'Precondition Failed',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  428: 'Precondition Required',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
};

/** Problem type URIs are stable names, one per code; they are identifiers, not links. */
export function problemType(code: string): string {
  return `urn:quickstock:problem:${code}`;
}

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance: string;
  code: string;
  requestId?: string;
  errors?: FieldError[];
  [extra: string]: unknown;
}

export function sendProblem(
  res: Response,
  instance: string,
  status: number,
  code: string,
  detail: string,
  more: { errors?: FieldError[]; extra?: Record<string, unknown>; headers?: Record<string, string> } = {},
): void {
  const requestId = currentRequestId();
  const body: Problem = {
    ...(more.extra ?? {}),
    type: problemType(code),
    title: TITLES[status] ?? 'Error',
    status,
    detail,
    instance,
    code,
    ...(requestId ? { requestId } : {}),
    ...(more.errors ? { errors: more.errors } : {}),
  };
  for (const [name, value] of Object.entries(more.headers ?? {})) res.setHeader(name, value);
  res.status(status).type('application/problem+json').send(JSON.stringify(body));
}

interface ValidatorErrorItem {
  path?: string;
  message?: string;
  errorCode?: string;
}

/** express-openapi-validator reports '/body/items/0/quantity'; clients get 'body.items[0].quantity'. */
function fieldPath(raw: string | undefined): string {
  if (!raw) return '';
  const parts = raw
    .replace(/^\.?\/?/, '')
    .split(/[/.]/)
    .filter(Boolean);
  let out = '';
  for (const part of parts) {
    if (/^\d+$/.test(part)) out += `[${part}]`;
    else out += out ? `.${part}` : part;
  }
  return out;
}

function codeForStatus(status: number): string {
  switch (status) {
    case 400:
      return 'validation-failed';
    case 401:
      return 'unauthorized';
    case 403:
      return 'forbidden';
    case 404:
      return 'not-found';
    case 405:
      return 'method-not-allowed';
    case 406:
      return 'not-acceptable';
    case 413:
      return 'payload-too-large';
    case 415:
      return 'unsupported-media-type';
    default:
      return status >= 500 ? 'internal-error' : 'bad-request';
  }
}

/** The central error handler: everything leaves the server as application/problem+json. */
export function problemHandler(logger: Logger): ErrorRequestHandler {
  return (err: unknown, req, res, _next) => {
    void _next;
    const instance = instanceOf(req);
    if (res.headersSent) {
      logger.error({ err }, 'error after the response started');
      res.end();
      return;
    }
    // An authentication failure found by our bearerAuth handler carries its precise problem.
    const authFailure = (req as { authFailure?: AppError }).authFailure;
    if (authFailure && err && typeof err === 'object' && (err as { status?: number }).status === authFailure.status) {
      err = authFailure;
    }
    const translated = translateDatabaseError(err);
    if (translated) err = translated;

    if (err instanceof ValidationError) {
      sendProblem(res, instance, 400, err.code, err.detail, { errors: err.errors });
      return;
    }
    if (err instanceof AppError) {
      if (err.status >= 500) logger.error({ err, cause: err.cause }, err.detail);
      sendProblem(res, instance, err.status, err.code, err.detail, { extra: err.extra, headers: err.options.headers });
      return;
    }
    const e = err as { status?: number; statusCode?: number; type?: string; errors?: ValidatorErrorItem[]; message?: string; headers?: Record<string, string> };
    // body-parser
    if (e?.type === 'entity.parse.failed') {
      sendProblem(res, instance, 400, 'malformed-json', 'The request body is not valid JSON.');
      return;
    }
    if (e?.type === 'entity.too.large') {
      sendProblem(res, instance, 413, 'payload-too-large', 'The request body is too large.');
      return;
    }
    if (e?.type === 'charset.unsupported' || e?.type === 'encoding.unsupported') {
      sendProblem(res, instance, 415, 'unsupported-media-type', 'The request body encoding is not supported.');
      return;
    }
    const status = e?.status ?? e?.statusCode;
    if (typeof status === 'number' && status >= 400 && status < 500) {
      const code = codeForStatus(status);
      // If-Match is required by the contract, but a missing one means "precondition required" (RFC 6585).
      if (status === 400 && Array.isArray(e.errors) && e.errors.length > 0 && e.errors.every((item) => /^\/?headers[./]if-match$/i.test(item.path ?? ''))) {
        sendProblem(res, instance, 428, 'precondition-required', 'Send If-Match with the ETag of the version you are changing.');
        return;
      }
      if (status === 400 && Array.isArray(e.errors)) {
        const errors = e.errors.map((item) => ({ path: fieldPath(item.path), message: item.message ?? 'is invalid' }));
        sendProblem(res, instance, 400, code, 'The request is invalid: see errors for each field.', { errors });
        return;
      }
      const detail =
        status === 404
          ? `No resource at ${req.method} ${instance}.`
          : status === 405
            ? `${req.method} is not allowed on ${instance}.`
            : status === 401
              ? 'A valid access token is required.'
              : status === 415
                ? 'The request content type is not supported; send application/json.'
                : (e.message ?? 'The request cannot be processed.');
      const headers: Record<string, string> =
        status === 401 ? { 'WWW-Authenticate': 'Bearer' } : status === 405 && e.headers?.['Allow'] ? { Allow: e.headers['Allow'] } : {};
      sendProblem(res, instance, status, code, detail, { headers });
      return;
    }
    logger.error({ err }, 'unhandled error');
    sendProblem(res, instance, 500, 'internal-error', 'An unexpected error occurred. Quote the requestId when reporting it.');
  };
}

export const notFoundHandler: RequestHandler = (req, res) => {
  const instance = instanceOf(req);
  sendProblem(res, instance, 404, 'not-found', `No resource at ${req.method} ${instance}.`);
};

/**
 * The contract bounds `instance` and `detail` (2,000 characters each, and some details quote the
 * path): a client's absurdly long path is cut, not echoed whole.
 */
const MAX_INSTANCE_LENGTH = 1900;

function instanceOf(req: Request): string {
  const path = req.originalUrl.split('?')[0] ?? req.originalUrl;
  return path.length > MAX_INSTANCE_LENGTH ? `${path.slice(0, MAX_INSTANCE_LENGTH - 1)}…` : path;
}
