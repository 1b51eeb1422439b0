import type { NextFunction, Request, Response } from 'express';

/**
 * Reads query strings as form-encoded, as browsers, HTML forms and URLSearchParams write them: '+'
 * is a space, and a literal plus arrives as '%2B'. Express already decodes '+' as a space, but
 * express-openapi-validator checks the raw query and refuses '+' as a reserved character, so
 * `?q=Mario+Rossi` from a search form was a 400. Before validation, each '+' of the query string
 * becomes '%20', which every later reader decodes as the same space; '%2B' is left alone.
 */
export function plusAsSpaceInQuery(req: Request, _res: Response, next: NextFunction): void {
  req.url = spacesForPluses(req.url);
  req.originalUrl = spacesForPluses(req.originalUrl);
  next();
}

function spacesForPluses(url: string): string {
  const start = url.indexOf('?');
  if (start < 0 || !url.includes('+', start)) return url;
  return url.slice(0, start) + url.slice(start).replaceAll('+', '%20');
}
