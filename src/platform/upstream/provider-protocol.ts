import type { Db, Tx } from '../db/db';

/**
 * The steps of one provider call made by the protocol of `withProviderCall`. `R` is what `record`
 * wrote and the later steps need (plain data: the locks it was read under are gone by then), `C` the
 * provider's answer, `F` the answer of the whole call.
 */
export interface ProviderCallSteps<R, C, F> {
  /**
   * In a short transaction, under the lock of what the call is about: check that the call may be
   * made and record the attempt (a row whose id keys the call at the provider). Throwing refuses the
   * call (nothing is recorded); answering `null` or `undefined` means there is nothing to call (not
   * due, taken by another worker): neither `call` nor `finish` runs and `withProviderCall` answers
   * `undefined`.
   */
  record(tx: Tx): Promise<R>;
  /**
   * The requests of this process whose attempts share this key (namespaced by the caller, e.g.
   * `payment:<id>`) share one call: a request that finds the key's call in flight joins it instead of
   * calling again, and the call stays joinable until its own `finish` (or `fail`) is over, so a
   * duplicate arriving meanwhile does not call twice. Each joined request runs its own `finish` or
   * `fail` with the shared answer. `null` (or no `join`): never shared.
   */
  join?(recorded: NonNullable<R>): string | null;
  /**
   * The provider call, outside any transaction, with no connection taken from the pool. It must be
   * keyed at the provider by what `record` stored (e.g. `quickstock-payment-<row id>`), so that a
   * repetition after a timeout, a duplicate request or a crash gets the same object there.
   */
  call(recorded: NonNullable<R>): Promise<C>;
  /**
   * In a new short transaction after the provider answered: lock again what `record` locked and
   * re-check it (anything may have changed during the call: a cancel, a webhook, a duplicate that
   * finished first), then record the outcome. Its answer is `withProviderCall`'s.
   */
  finish(tx: Tx, recorded: NonNullable<R>, result: C): Promise<F>;
  /**
   * In a new short transaction after the call failed (or a joined call did): record the failure
   * under the same lock and re-check as `finish`. Answer a value to make it `withProviderCall`'s
   * answer, or nothing (`undefined`) to have the call's error thrown to the caller once this
   * transaction committed. Without `fail`, the error is thrown at once and nothing is written.
   */
  fail?(tx: Tx, recorded: NonNullable<R>, err: unknown): Promise<F | void>;
}

/** `undefined` when `record` may answer that there is nothing to call, else nothing. */
export type Skipped<R> = [Extract<R, null | undefined>] extends [never] ? never : undefined;

/** Calls of each `Db` (one per composition root, so one per process in production) in flight, by join key. */
const inFlight = new WeakMap<Db, Map<string, Promise<unknown>>>();

function callsOf(db: Db): Map<string, Promise<unknown>> {
  let calls = inFlight.get(db);
  if (!calls) inFlight.set(db, (calls = new Map()));
  return calls;
}

/**
 * The provider protocol (DESIGN.md: "no database connection or row lock is ever held across a
 * provider call"): record the attempt in a short transaction, call the provider outside any
 * transaction, then finish (or fail) in a second short transaction that locks again and re-checks.
 *
 * Guarantees:
 * - No connection and no row lock is held during `call`: `record`'s transaction has committed before
 *   it starts and `finish`'s begins after it answered. A slow or dead provider therefore never holds
 *   a pool connection or blocks a cancel, a webhook or another request on the row.
 * - Because the locks are released during the call, `finish` and `fail` must re-check under the lock
 *   what `record` checked; they decide on what is true at that moment, never on `R`'s snapshot.
 * - A crash (or a lost connection) between the steps leaves a consistent state, never a half-written
 *   one, but possibly an unfinished attempt: after `record`, the attempt is recorded and not finished
 *   (the owner's next request or its background pass must find it and call again, under the same
 *   provider idempotency key, to learn the outcome); after `call`, the provider may have acted
 *   without our knowing, which the same keyed repetition — or the provider's webhook — reconciles.
 *   An attempt `record` does not store (a bare check) has nothing to resume: what the provider did
 *   then is only in its logs.
 * - `finish`/`fail` run in their own transaction: a step that throws rolls back only that step.
 */
export async function withProviderCall<R, C, F>(db: Db, steps: ProviderCallSteps<R, C, F>): Promise<F | Skipped<R>> {
  const recorded = await db.transaction((tx) => steps.record(tx));
  if (recorded === null || recorded === undefined) return undefined as Skipped<R>;
  const attempt = recorded as NonNullable<R>;
  const key = steps.join?.(attempt) ?? null;
  const calls = callsOf(db);
  // Trusted cast: a join key names one kind of call (the caller namespaces it), so its answer is a C.
  const shared = key === null ? undefined : (calls.get(key) as Promise<C> | undefined);
  // Async, so that a call throwing before its first await is a failure like any other (`fail` sees it).
  const call = shared ?? (async () => steps.call(attempt))();
  if (key !== null && !shared) calls.set(key, call);
  try {
    let result: C;
    try {
      result = await call;
    } catch (err) {
      const fail = steps.fail;
      if (!fail) throw err;
      const answer = await db.transaction((tx) => fail(tx, attempt, err));
      if (answer === undefined) throw err;
      return answer as F;
    }
    return await db.transaction((tx) => steps.finish(tx, attempt, result));
  } finally {
    if (key !== null && !shared) calls.delete(key);
  }
}
