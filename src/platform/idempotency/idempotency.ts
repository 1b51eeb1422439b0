import { createHash } from 'node:crypto';
import { AppError } from '../errors';
import type { Db, DbTarget, Tx } from '../db/db';
import { sql, sqlOne } from '../db/sql';

const KEY_TTL_HOURS = 24;
/** Rounds of claim-or-read before giving up on a key that keeps changing under us (purged, replaced). */
const MAX_ROUNDS = 3;

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
  expired: boolean;
}

type KeyId = { userId: string; scope: string; key: string };
type StoredProblem = { __problem: { code: string; status: number; detail: string; extra: Record<string, unknown> | null } };
/** What one round of `run` decided: the answer, a stored refusal to throw after commit, or "try again". */
type Round<T> = { result: StoredResult<T> } | { refusal: AppError } | { again: true };

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

const hashOf = (request: IdempotentRequest) =>
  createHash('sha256')
    .update(JSON.stringify(canonical(request.fingerprint)))
    .digest('hex');
const idOf = (request: IdempotentRequest & { key: string }): KeyId => ({ userId: request.userId, scope: request.scope, key: request.key });
/** Domain refusals are stored and replayed; a 429 or a failure of ours or of a provider is not. */
const isStoredRefusal = (err: unknown): err is AppError => err instanceof AppError && err.status >= 400 && err.status < 500 && err.status !== 429;

/**
 * Idempotency-Key handling for unsafe operations. The key's claim is its row, inserted in the very
 * transaction that does the work and completed there, so it lives exactly as long as that
 * transaction: a concurrent duplicate blocks on the uncommitted row (the unique key) and then
 * replays the committed answer, and a process that dies mid-request takes its claim with it
 * (PostgreSQL rolls the transaction back when the connection drops), so the retry after a restart
 * runs the work once. Domain refusals (4xx) are stored and replayed (the work is rolled back to a
 * savepoint); other failures roll everything back, so the client may retry with the key.
 *
 * Work that calls a provider cannot hold a transaction across the call: it checks `replayOf` first
 * and stores its answer with `store` in the short transaction that finishes it (its own domain rules
 * make a concurrent duplicate harmless; the first stored answer is the one replayed).
 */
export class IdempotencyStore {
  constructor(private readonly db: Db) {}

  async run<T>(request: IdempotentRequest, work: (tx: Tx) => Promise<{ status: number; body: T }>): Promise<StoredResult<T>> {
    if (request.key === undefined) {
      const result = await this.db.transaction(work);
      return { ...result, replayed: false };
    }
    const id = idOf({ ...request, key: request.key });
    const hash = hashOf(request);
    for (let round = 0; round < MAX_ROUNDS; round += 1) {
      const outcome = await this.db.transaction(async (tx): Promise<Round<T>> => {
        if (!(await this.claim(tx, id, hash))) {
          const stored = await this.read<T>(tx, id, hash);
          return stored ? { result: stored } : { again: true };
        }
        // Runs under a savepoint: a refusal is stored in place of the work it rolled back.
        await sql(tx, 'SAVEPOINT idempotent_work'); // savepoint of the work (no model API for one on this transaction)
        try {
          const done = await work(tx);
          await this.complete(tx, id, done.status, done.body);
          return { result: { ...done, replayed: false } };
        } catch (err) {
          if (!isStoredRefusal(err)) throw err;
          await sql(tx, 'ROLLBACK TO SAVEPOINT idempotent_work'); // undo the refused work, keep the claim
          await this.complete(tx, id, err.status, problemOf(err));
          return { refusal: err };
        }
      });
      if ('result' in outcome) return outcome.result;
      if ('refusal' in outcome) throw outcome.refusal;
    }
    throw new AppError('idempotency-request-in-progress', 409, 'The Idempotency-Key is busy; retry shortly.', { headers: { 'Retry-After': '1' } });
  }

  /** The stored answer of this key (a replay, or the stored refusal thrown), if the key was used. */
  async replayOf<T>(request: IdempotentRequest): Promise<StoredResult<T> | undefined> {
    if (request.key === undefined) return undefined;
    return this.read<T>(this.db, idOf({ ...request, key: request.key }), hashOf(request));
  }

  /**
   * Stores the answer of work done outside `run`, in the transaction that finishes it. When another
   * request with the key stored its answer first, that one is returned (and replayed by the caller).
   */
  async store<T>(tx: Tx, request: IdempotentRequest, status: number, body: T): Promise<StoredResult<T>> {
    if (request.key === undefined) return { status, body, replayed: false };
    const id = idOf({ ...request, key: request.key });
    const hash = hashOf(request);
    if (await this.claim(tx, id, hash)) {
      await this.complete(tx, id, status, body);
      return { status, body, replayed: false };
    }
    return (await this.read<T>(tx, id, hash)) ?? { status, body, replayed: false };
  }

  /** Inserts the key's row in `tx`; false when a committed row exists (waits for an uncommitted one). */
  private async claim(tx: Tx, id: KeyId, hash: string): Promise<boolean> {
    // The claim: ON CONFLICT waits for a concurrent uncommitted row of the same key, then skips.
    const inserted = await sql(
      tx,
      `INSERT INTO idempotency_keys (user_id, scope, key, request_hash, state, expires_at)
       VALUES ($1, $2, $3, $4, 'in_progress', now() + interval '${KEY_TTL_HOURS} hours')
       ON CONFLICT DO NOTHING RETURNING key`,
      [id.userId, id.scope, id.key, hash],
    );
    return inserted.length > 0;
  }

  /**
   * The committed answer for the key: a replay, or its stored refusal thrown; 422 for another body.
   * Undefined when there is none to replay (gone, expired, or an unfinished row left by an earlier
   * version of the service): such a row is deleted, so the next round claims the key afresh.
   */
  private async read<T>(target: DbTarget, id: KeyId, hash: string): Promise<StoredResult<T> | undefined> {
    const row = await sqlOne<KeyRow>(
      target,
      // The key's committed row (a plain read by primary key).
      `SELECT request_hash, state, response_status, response_body, expires_at < now() AS expired
         FROM idempotency_keys WHERE user_id = $1 AND scope = $2 AND key = $3`,
      [id.userId, id.scope, id.key],
    );
    if (!row) return undefined;
    if (row.expired || row.state !== 'completed') {
      // Forget a key past its 24 h, or a claim no transaction holds any more.
      await sql(target, "DELETE FROM idempotency_keys WHERE user_id = $1 AND scope = $2 AND key = $3 AND (expires_at < now() OR state <> 'completed')", [
        id.userId,
        id.scope,
        id.key,
      ]);
      return undefined;
    }
    if (row.request_hash !== hash) {
      throw new AppError('idempotency-key-reused', 422, 'This Idempotency-Key was already used with a different request.');
    }
    const body = row.response_body as Partial<StoredProblem>;
    if (body && typeof body === 'object' && body.__problem) {
      const p = body.__problem;
      throw new AppError(p.code, p.status, p.detail, { extra: { ...(p.extra ?? {}), idempotentReplay: true } });
    }
    return { status: row.response_status ?? 200, body: row.response_body as T, replayed: true };
  }

  private async complete(tx: Tx, id: KeyId, status: number, body: unknown): Promise<void> {
    const json = JSON.stringify(body);
    if (body !== null && typeof body === 'object') serialized.set(body, json);
    // Completes the claim this transaction holds.
    await sql(
      tx,
      `UPDATE idempotency_keys SET state = 'completed', response_status = $4, response_body = $5::jsonb
        WHERE user_id = $1 AND scope = $2 AND key = $3`,
      [id.userId, id.scope, id.key, status, json],
    );
  }
}

/**
 * The JSON text stored for each answer body, by the body object: the response sends that text
 * rather than serializing the body a second time. A body is not changed once its answer is stored.
 */
const serialized = new WeakMap<object, string>();

/** The JSON text stored for this answer body, when it was stored under an Idempotency-Key. */
export function storedJson(body: unknown): string | undefined {
  return body !== null && typeof body === 'object' ? serialized.get(body) : undefined;
}

function problemOf(err: AppError): StoredProblem {
  return { __problem: { code: err.code, status: err.status, detail: err.detail, extra: err.extra ?? null } };
}
