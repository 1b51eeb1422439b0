import type { Response } from 'express';
import { storedJson, type StoredResult } from './idempotency';

/**
 * Answers with a result of the idempotency store: its status, `Idempotent-Replayed: true` on a
 * replay, and its body — as the JSON text stored for the key when there is one (the body is
 * serialized once, for the row and the answer), else through `res.json`.
 */
export function sendStored<T>(res: Response, result: StoredResult<T>): void {
  if (result.replayed) res.setHeader('Idempotent-Replayed', 'true');
  res.status(result.status);
  const json = storedJson(result.body);
  if (json === undefined) {
    res.json(result.body);
    return;
  }
  res.setHeader('Content-Type', 'application/json');
  res.send(json);
}
