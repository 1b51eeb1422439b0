export { AppError, NotFoundError, ConflictError, ForbiddenError, UnauthorizedError, UpstreamError, ValidationError, type FieldError } from './app-error';
export { translateDatabaseError, isUniqueViolation, isForeignKeyViolation, isRetryableTransactionError } from './db-errors';
