/**
 * The one error type the domain throws. `code` is a stable kebab word that clients may branch on;
 * `status` is the HTTP status the central handler answers with; `extra` adds members to the problem
 * (for example the short lines of an order).
 */
export class AppError extends Error {
  constructor(
    readonly code: string,
    readonly status: number,
    readonly detail: string,
    readonly options: { cause?: unknown; extra?: Record<string, unknown>; headers?: Record<string, string> } = {},
  ) {
    super(detail, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AppError';
  }

  get extra(): Record<string, unknown> | undefined {
    return this.options.extra;
  }
}

export class NotFoundError extends AppError {
  constructor(what: string, extra?: Record<string, unknown>) {
    super('not-found', 404, `${what} was not found.`, { extra });
  }
}

export class ConflictError extends AppError {
  constructor(code: string, detail: string, extra?: Record<string, unknown>) {
    super(code, 409, detail, { extra });
  }
}

export class ForbiddenError extends AppError {
  constructor(detail = 'Your role may not perform this action.') {
    super('forbidden', 403, detail);
  }
}

export class UnauthorizedError extends AppError {
  constructor(detail = 'A valid access token is required.', code = 'unauthorized') {
    super(code, 401, detail, { headers: { 'WWW-Authenticate': 'Bearer' } });
  }
}

/** A provider outside our walls failed or is unavailable (502 / 503). */
export class UpstreamError extends AppError {
  constructor(code: string, status: 502 | 503, detail: string, cause?: unknown, headers?: Record<string, string>) {
    super(code, status, detail, { cause, headers });
  }
}

export interface FieldError {
  path: string;
  message: string;
}

export class ValidationError extends AppError {
  constructor(
    detail: string,
    readonly errors: FieldError[],
  ) {
    super('validation-failed', 400, detail);
  }
}
