import type { NextFunction, Request, Response } from 'express';
import { ValidationError, type FieldError } from '../errors';

const MAX_DEPTH = 64;

/**
 * Refuses NUL (U+0000) anywhere in the JSON body (keys too) or the query string with a 400 problem
 * naming each field: PostgreSQL cannot store it in text or jsonb, so it must never reach SQL.
 */
export function rejectNulCharacters(req: Request, _res: Response, next: NextFunction): void {
  const errors: FieldError[] = [];
  collect(req.body, 'body', errors, 0);
  collect(req.query, 'query', errors, 0);
  next(errors.length > 0 ? new ValidationError('The request contains the NUL character (U+0000), which is never accepted.', errors) : undefined);
}

function collect(value: unknown, path: string, errors: FieldError[], depth: number): void {
  if (typeof value === 'string') {
    if (value.includes('\u0000')) errors.push({ path, message: 'must not contain the NUL character (U+0000)' });
    return;
  }
  if (value === null || typeof value !== 'object' || depth > MAX_DEPTH || Buffer.isBuffer(value)) return;
  for (const [key, inner] of Object.entries(value)) {
    const innerPath = Array.isArray(value) ? `${path}[${key}]` : `${path}.${key.replace(/\u0000/g, '\\u0000')}`;
    if (key.includes('\u0000')) errors.push({ path: innerPath, message: 'the property name must not contain the NUL character (U+0000)' });
    collect(inner, innerPath, errors, depth + 1);
  }
}
