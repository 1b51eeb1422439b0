import type { Db, DbTarget, Tx } from '../platform/db/db';
import { sql, sqlOne } from '../platform/db/sql';

/** A password-reset token as the confirmation reads it (never its hash). */
export interface PasswordResetTokenRecord {
  id: string;
  userId: string;
  expiresAt: Date;
  usedAt: Date | null;
  revokedAt: Date | null;
}

interface ResetTokenRow {
  id: string;
  user_id: string;
  expires_at: Date;
  used_at: Date | null;
  revoked_at: Date | null;
}

const toRecord = (row: ResetTokenRow): PasswordResetTokenRecord => ({
  id: row.id,
  userId: row.user_id,
  expiresAt: row.expires_at,
  usedAt: row.used_at,
  revokedAt: row.revoked_at,
});

const COLUMNS = 'id, user_id, expires_at, used_at, revoked_at';

/**
 * The password_reset_tokens table: one short statement each, by the unique token hash or the user.
 * A token is usable while `used_at` and `revoked_at` are null and `expires_at` is ahead.
 */
export const passwordResetTokenRepository = {
  /** Tokens issued to `userId` (a nil uuid for no user: the same statement for every address) since `since`. */
  async countIssuedSince(tx: Tx, userId: string, since: Date): Promise<number> {
    const row = await sqlOne<{ n: number }>(tx, 'SELECT count(*)::int AS n FROM password_reset_tokens WHERE user_id = $1 AND created_at > $2', [userId, since]);
    return row?.n ?? 0;
  },

  /**
   * Writes an empty transactional message to the WAL (a logical-decoding message, prefix
   * `quickstock.password-reset`, which decoders that do not know it skip), so that the transaction's
   * commit waits for the WAL flush as a commit that wrote rows does. A reset request for an unknown
   * address writes nothing else, and its read-only commit would skip the flush and answer measurably
   * faster than a known address's (~2 ms here: test/faults/password-reset-timing.spec.ts).
   */
  async flushOnCommit(tx: Tx): Promise<void> {
    await sql(tx, "SELECT pg_logical_emit_message(true, 'quickstock.password-reset', '')");
  },

  /** Revokes every token of the user not used or revoked yet (a newer one, or a password change, supersedes them). */
  async revokeOpen(tx: Tx, userId: string): Promise<void> {
    await sql(tx, 'UPDATE password_reset_tokens SET revoked_at = now() WHERE user_id = $1 AND used_at IS NULL AND revoked_at IS NULL', [userId]);
  },

  /** Stores a token valid `ttlMs` from now (the database's clock, as `created_at`); answers when it expires. */
  async insert(tx: Tx, token: { userId: string; tokenHash: string; ttlMs: number }): Promise<Date> {
    const row = await sqlOne<{ expires_at: Date }>(
      tx,
      "INSERT INTO password_reset_tokens (user_id, token_hash, expires_at) VALUES ($1, $2, now() + $3 * interval '1 millisecond') RETURNING expires_at",
      [token.userId, token.tokenHash, token.ttlMs],
    );
    if (!row) throw new Error('the reset token was not stored');
    return row.expires_at;
  },

  /** The token with this hash, read without a lock (undefined for an unknown one). */
  async findByHash(target: DbTarget, tokenHash: string): Promise<PasswordResetTokenRecord | undefined> {
    const row = await sqlOne<ResetTokenRow>(target, `SELECT ${COLUMNS} FROM password_reset_tokens WHERE token_hash = $1`, [tokenHash]);
    return row && toRecord(row);
  },

  /** Uses the token up if it is still usable; false when it is not (used, revoked or expired meanwhile). */
  async markUsed(tx: Tx, id: string): Promise<boolean> {
    const rows = await sql(
      tx,
      'UPDATE password_reset_tokens SET used_at = now() WHERE id = $1 AND used_at IS NULL AND revoked_at IS NULL AND expires_at > now() RETURNING 1',
      [id],
    );
    return rows.length === 1;
  },

  /** Deletes at most `batch` tokens a day past their expiry (SKIP LOCKED: safe on every instance at once); answers how many. */
  async purgeExpired(db: Db, batch: number): Promise<number> {
    const rows = await sql(
      db,
      `DELETE FROM password_reset_tokens WHERE id IN (
         SELECT id FROM password_reset_tokens WHERE expires_at < now() - interval '1 day' LIMIT $1 FOR UPDATE SKIP LOCKED) RETURNING 1`,
      [batch],
    );
    return rows.length;
  },
};
