import { AppError, ConflictError } from './app-error';

interface PgLikeError {
  code?: string;
  constraint?: string;
  detail?: string;
}

function pgError(err: unknown): PgLikeError | undefined {
  if (!err || typeof err !== 'object') return undefined;
  const candidate = (err as { parent?: unknown; original?: unknown }).parent ?? (err as { original?: unknown }).original ?? err;
  if (candidate && typeof candidate === 'object' && typeof (candidate as PgLikeError).code === 'string') {
    return candidate as PgLikeError;
  }
  return undefined;
}

/** Whether a database error is a unique violation, optionally of one named constraint. */
export function isUniqueViolation(err: unknown, constraint?: string): boolean {
  const pg = pgError(err);
  return pg?.code === '23505' && (constraint === undefined || pg.constraint === constraint);
}

/** Whether a database error is a foreign-key violation, optionally of one named constraint. */
export function isForeignKeyViolation(err: unknown, constraint?: string): boolean {
  const pg = pgError(err);
  return pg?.code === '23503' && (constraint === undefined || pg.constraint === constraint);
}

/** Serialization failures and deadlocks are safe to retry as a whole transaction. */
export function isRetryableTransactionError(err: unknown): boolean {
  const code = pgError(err)?.code;
  return code === '40001' || code === '40P01';
}

/**
 * The one place where database errors become problems. Anything not listed is left alone and
 * ends as a plain 500 whose detail stays in the log.
 */
export function translateDatabaseError(err: unknown): AppError | undefined {
  if (isConnectionFailure(err)) return databaseUnavailable();
  const pg = pgError(err);
  if (!pg?.code) return undefined;
  switch (pg.code) {
    case '23505':
      return new ConflictError('conflict', 'The request conflicts with an existing resource.');
    case '23503':
      return new ConflictError('conflict', 'The request refers to a resource that does not exist or is still in use.');
    case '23514':
    case '22003':
      // The order line's own check (shipped + cancelled ≤ quantity): the guard behind over-shipment.
      if (pg.constraint === 'order_items_fulfilled_within_quantity') {
        return new ConflictError('over-shipment', 'More units of an order line would be shipped than it has left to ship; nothing was shipped.');
      }
      // A check constraint (e.g. onHand above its maximum) or a number beyond its column's range.
      return new ConflictError('value-out-of-range', 'The request would take a stored value beyond its allowed range.');
    case '22P05':
    case '22021':
      // NUL or an invalid byte: refused before SQL by rejectNulCharacters; this catches what slips past (e.g. JSON payloads).
      return new AppError('invalid-character', 400, 'The request contains a character that cannot be stored (such as NUL).');
    case '40001':
    case '40P01':
      return new AppError('concurrent-update', 409, 'The resource was changed concurrently; retry the request.');
    case '57P01':
    case '57P03':
    case '08006':
    case '08001':
    case '08003':
      return databaseUnavailable();
    case '57014':
      return new AppError('timeout', 503, 'The request took too long; retry shortly.', { headers: { 'Retry-After': '1' } });
    default:
      // Any other data exception (class 22: 22P02 invalid text representation, 22007/22008 a bad or
      // out-of-range date, 22001 a string too long…) comes from a value the request carried that
      // slipped past the contract's checks: the client's mistake, a 400, never a 500.
      return pg.code.startsWith('22') ? invalidValue() : undefined;
  }
}

function invalidValue(): AppError {
  return new AppError('invalid-value', 400, 'A value in the request cannot be used as its type (e.g. a malformed or out-of-range number, date or id).');
}

function databaseUnavailable(): AppError {
  return new AppError('database-unavailable', 503, 'The database is unavailable; retry shortly.', { headers: { 'Retry-After': '1' } });
}

const CONNECTION_ERROR_NAMES = new Set([
  'SequelizeConnectionError',
  'SequelizeConnectionRefusedError',
  'SequelizeConnectionTimedOutError',
  'SequelizeConnectionAcquireTimeoutError',
  'SequelizeHostNotFoundError',
  'SequelizeHostNotReachableError',
]);
const SOCKET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH']);
const PG_CONNECTION_MESSAGES = ['Connection terminated', 'Client has encountered a connection error', 'Client was closed'];

/**
 * The database went away (restart, failover, network): a 503 says retry shortly (a statement cut in
 * flight may or may not have committed; Idempotency-Key makes the retry of a write safe). These come
 * as Sequelize connection errors, socket errors or pg's messages without a SQLSTATE.
 */
function isConnectionFailure(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e && typeof e === 'object' && depth < 4; depth += 1) {
    const { name, code, message } = e as { name?: string; code?: string; message?: string };
    if (name && CONNECTION_ERROR_NAMES.has(name)) return true;
    if (code && SOCKET_CODES.has(code)) return true;
    if (!code && message && PG_CONNECTION_MESSAGES.some((m) => message.startsWith(m))) return true;
    e = (e as { parent?: unknown; original?: unknown; cause?: unknown }).parent ?? (e as { original?: unknown }).original ?? (e as { cause?: unknown }).cause;
  }
  return false;
}
