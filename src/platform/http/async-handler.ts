import type { Request } from 'express';
import type { Actor } from './contract';
import { UnauthorizedError } from '../errors';

/** The actor that the bearerAuth security handler put on the request. */
export function actorOf(req: Request): Actor {
  const actor = (req as { actor?: Actor }).actor;
  if (!actor) throw new UnauthorizedError();
  return actor;
}
