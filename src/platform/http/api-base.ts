import type { RequestHandler } from 'express';

/** Where the REST API is mounted; every path the service builds starts here. */
export const API_BASE = '/api/v1';

/**
 * `handler` for every request but the API's: an API request passes it with one prefix test instead
 * of walking the documents', docs', console's and health routes one by one.
 */
export function outsideApi(handler: RequestHandler): RequestHandler {
  return (req, res, next) => {
    const url = req.url;
    if (url.startsWith(API_BASE) && (url.length === API_BASE.length || '/?'.includes(url.charAt(API_BASE.length)))) return next();
    return handler(req, res, next);
  };
}
