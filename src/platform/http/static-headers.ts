import type { Request, RequestHandler, Response } from 'express';

type HeaderValue = string | number | readonly string[];

/**
 * A header middleware whose headers do not depend on the request (helmet's, configured with
 * constant directives) runs once here, against a response that records them; the middleware
 * returned sets what it recorded. Same headers, without eleven nested middleware calls and the
 * policy's serialisation on every request. Fails at start-up if the middleware reads the request
 * or does not finish synchronously.
 */
export function precomputedHeaders(middleware: RequestHandler): RequestHandler {
  const set: [string, HeaderValue][] = [];
  const removed: string[] = [];
  let finished = false;
  const request = new Proxy({} as Request, {
    get: (_target, property) => {
      throw new Error(`precomputedHeaders: the middleware reads the request (${String(property)}); its headers are not constant`);
    },
  });
  const recorder = {
    setHeader: (name: string, value: HeaderValue) => void set.push([name, value]),
    removeHeader: (name: string) => void removed.push(name),
  } as unknown as Response;
  void middleware(request, recorder, (err?: unknown) => {
    if (err) throw err;
    finished = true;
  });
  if (!finished) throw new Error('precomputedHeaders: the middleware did not call next synchronously');
  return (_req, res, next) => {
    for (const [name, value] of set) res.setHeader(name, value);
    for (const name of removed) res.removeHeader(name);
    next();
  };
}
