import type { NextFunction, Request, Response } from 'express';
import { ValidationError, type FieldError } from '../errors';

/**
 * Runs after express-openapi-validator. Query parameters are strings on the wire and the validator
 * converts those the contract types as numbers (today only `limit`; no path parameter is a number).
 * But Ajv converts 'Infinity', '-Infinity' and '1e400' to infinite numbers and then skips every
 * numeric check for them (type, minimum, maximum and format only look at finite numbers), so
 * `?limit=Infinity` passed as an integer and reached SQL. No parameter of the contract is ever infinite: such a value is refused here as the
 * 400 `validation-failed` problem naming the parameter. (Bodies are not converted at all: a JSON
 * `1e400` is refused by the validator itself.)
 */
export function rejectNonFiniteNumbers(req: Request, _res: Response, next: NextFunction): void {
  const errors: FieldError[] = [];
  collect(req.query, 'query', errors);
  next(errors.length > 0 ? new ValidationError('The request is invalid: see errors for each field.', errors) : undefined);
}

function collect(values: unknown, location: string, errors: FieldError[]): void {
  if (values === null || typeof values !== 'object') return;
  for (const [name, value] of Object.entries(values)) {
    const items: unknown[] = Array.isArray(value) ? value : [value];
    items.forEach((item, i) => {
      if (typeof item === 'number' && !Number.isFinite(item)) {
        errors.push({ path: `${location}.${name}${Array.isArray(value) ? `[${i}]` : ''}`, message: 'must be a finite number' });
      }
    });
  }
}
