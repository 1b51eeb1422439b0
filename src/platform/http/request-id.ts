import { randomUUID } from 'node:crypto';
import type { RequestHandler } from 'express';
import { requestContext } from '../logger';

const VALID_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** Accepts a caller's x-request-id (when sane) or makes one, echoes it, and scopes it to the request. */
export const requestId: RequestHandler = (req, res, next) => {
  const incoming = req.header('x-request-id');
  const id = incoming && VALID_ID.test(incoming) ? incoming : randomUUID();
  res.setHeader('x-request-id', id);
  (req as { id?: string }).id = id;
  requestContext.run({ requestId: id }, next);
};
