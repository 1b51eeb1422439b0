export { AppError, NotFoundError, ConflictError, ForbiddenError, UnauthorizedError, UpstreamError, ValidationError, type FieldError } from './app-error';
export { translateDatabaseError, isUniqueViolation, isRetryableTransactionError } from './db-errors';
