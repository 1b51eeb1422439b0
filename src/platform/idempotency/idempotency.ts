import { createHash } from 'node:crypto';
import type { Sequelize } from 'sequelize-typescript';
import { QueryTypes, type Transaction } from 'sequelize';
import { AppError } from '../errors';

const KEY_TTL_HOURS = 24;
/** An in-progress key older than this was left by a crashed request and may be taken over. */
const ABANDONED_AFTER_SECONDS = 60;

export interface IdempotentRequest {
  userId: string;
  scope: string;
  key: string | undefined;
  /** Everything that makes two requests "the same": target and body. */
  fingerprint: unknown;
}

export interface StoredResult<T> {
  status: number;
  body: T;
  replayed: boolean;
}

interface KeyRow {
  request_hash: string;
  state: 'in_progress' | 'completed';
  response_status: number | null;
  response_body: unknown;
  locked_at: Date;
  expired: boolean;
}

function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value as Record<string, unknown>)
        .sort()
        .map((k) => [k, canonical((value as Record<string, unknown>)[k])]),
    );
  }
  return value;
}

/**
 * Idempotency-Key handling for unsafe operations. The key is claimed first (so a concurrent
 * duplicate sees it in progress and gets a 409), and completed in the same transaction as the work,
 * so a stored success always means the work committed. Domain refusals (4xx) are stored and replayed;
 * unexpected failures release the key so the client may retry with it.
 */
export class IdempotencyStore {
  constructor(private readonly sequelize: Sequelize) {}

  async run<T>(request: IdempotentRequest, work: (tx: Transaction) => Promise<{ status: number; body: T }>): Promise<StoredResult<T>> {
    if (request.key === undefined) {
      const result = await this.sequelize.transaction(work);
      return { ...result, replayed: false };
    }
    const hash = createHash('sha256').update(JSON.stringify(canonical(request.fingerprint))).digest('hex');
    const id = { userId: request.userId, scope: request.scope, key: request.key };
    const replay = await this.claim(id, hash);
    if (replay) return replay as StoredResult<T>;
    try {
      const result = await this.sequelize.transaction(async (tx) => {
        const done = await work(tx);
        await this.complete(tx, id, done.status, done.body);
        return done;
      });
      return { ...result, replayed: false };
    } catch (err) {
      if (err instanceof AppError && err.status >= 400 && err.status < 500 && err.status !== 429) {
        const stored = { __problem: { code: err.code, status: err.status, detail: err.detail, extra: err.extra ?? null } };
        await this.sequelize.transaction((tx) => this.complete(tx, id, err.status, stored));
      } else {
        await this.release(id);
      }
      throw err;
    }
  }

  private async claim(id: { userId: string; scope: string; key: string }, hash: string): Promise<StoredResult<unknown> | undefined> {
    for (let attempt = 0; attempt < 3; attempt += 1) {
      const inserted = await this.sequelize.query(
        `INSERT INTO idempotency_keys (user_id, scope, key, request_hash, state, expires_at)
         VALUES (:userId, :scope, :key, :hash, 'in_progress', now() + interval '${KEY_TTL_HOURS} hours')
         ON CONFLICT DO NOTHING RETURNING key`,
        { replacements: { ...id, hash }, type: QueryTypes.SELECT },
      );
      if (inserted.length > 0) return undefined;
      const [row] = await this.sequelize.query<KeyRow>(
        `SELECT request_hash, state, response_status, response_body, locked_at, expires_at < now() AS expired
           FROM idempotency_keys WHERE user_id = :userId AND scope = :scope AND key = :key`,
        { replacements: id, type: QueryTypes.SELECT },
      );
      if (!row) continue; // released meanwhile: try to claim again
      if (row.expired) {
        await this.sequelize.query('DELETE FROM idempotency_keys WHERE user_id = :userId AND scope = :scope AND key = :key AND expires_at < now()', {
          replacements: id,
        });
        continue;
      }
      if (row.request_hash !== hash) {
        throw new AppError('idempotency-key-reused', 422, 'This Idempotency-Key was already used with a different request.');
      }
      if (row.state === 'completed') {
        const body = row.response_body as { __problem?: { code: string; status: number; detail: string; extra: Record<string, unknown> | null } };
        if (body && typeof body === 'object' && body.__problem) {
          const p = body.__problem;
          throw new AppError(p.code, p.status, p.detail, { extra: { ...(p.extra ?? {}), idempotentReplay: true } });
        }
        return { status: row.response_status ?? 200, body: row.response_body, replayed: true };
      }
      // In progress: a live request owns it, unless it was abandoned by a crash.
      const takenOver = await this.sequelize.query(
        `UPDATE idempotency_keys SET locked_at = now()
          WHERE user_id = :userId AND scope = :scope AND key = :key AND state = 'in_progress'
            AND locked_at < now() - interval '${ABANDONED_AFTER_SECONDS} seconds' RETURNING key`,
        { replacements: id, type: QueryTypes.SELECT },
      );
      if (takenOver.length > 0) return undefined;
      throw new AppError('idempotency-request-in-progress', 409, 'A request with this Idempotency-Key is still being processed; retry shortly.', {
        headers: { 'Retry-After': '1' },
      });
    }
    throw new AppError('idempotency-request-in-progress', 409, 'The Idempotency-Key is busy; retry shortly.', { headers: { 'Retry-After': '1' } });
  }

  private async complete(tx: Transaction, id: { userId: string; scope: string; key: string }, status: number, body: unknown): Promise<void> {
    await this.sequelize.query(
      `UPDATE idempotency_keys SET state = 'completed', response_status = :status, response_body = :body::jsonb
        WHERE user_id = :userId AND scope = :scope AND key = :key`,
      { replacements: { ...id, status, body: JSON.stringify(body) }, transaction: tx },
    );
  }

  private async release(id: { userId: string; scope: string; key: string }): Promise<void> {
    await this.sequelize.query(
      "DELETE FROM idempotency_keys WHERE user_id = :userId AND scope = :scope AND key = :key AND state = 'in_progress'",
      { replacements: id },
    );
  }

}
