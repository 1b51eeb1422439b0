import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { Actor } from './contract';
import { UnauthorizedError } from '../errors';

/** Express 5 forwards rejected promises itself; this only gives handlers a typed signature. */
export function handler(fn: (req: Request, res: Response, next: NextFunction) => Promise<void>): RequestHandler {
  return (req, res, next) => fn(req, res, next);
}

/** The actor that the bearerAuth security handler put on the request. */
export function actorOf(req: Request): Actor {
  const actor = (req as { actor?: Actor }).actor;
  if (!actor) throw new UnauthorizedError();
  return actor;
}
