import type { ModulePurge } from '../background/module-purge';
import type { Db } from '../db/db';
import { sql } from '../db/sql';

/** Deletes at most `batch` keys past their 24 h (SKIP LOCKED: safe on every instance at once); answers how many. */
async function purgeExpiredKeys(db: Db, batch: number): Promise<number> {
  // ctid: the table's key is (user_id, scope, key); the row's address picks it in one column.
  const rows = await sql(
    db,
    'DELETE FROM idempotency_keys WHERE ctid IN (SELECT ctid FROM idempotency_keys WHERE expires_at < now() LIMIT $1 FOR UPDATE SKIP LOCKED) RETURNING 1',
    [batch],
  );
  return rows.length;
}

/** The idempotency store's purge for the housekeeper: keys past their 24 h. */
export function idempotencyKeyPurge(db: Db): ModulePurge {
  return { what: 'idempotency keys', run: (batch) => purgeExpiredKeys(db, batch) };
}
