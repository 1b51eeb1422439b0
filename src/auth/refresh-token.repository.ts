import type { Db, DbTarget, Tx } from '../platform/db/db';
import { sql, sqlOne } from '../platform/db/sql';

/** A refresh token as rotation reads it (never its hash). */
export interface RefreshTokenRecord {
  id: string;
  userId: string;
  familyId: string;
  expiresAt: Date;
  idleExpiresAt: Date;
  rotatedAt: Date | null;
  revokedAt: Date | null;
}

interface RefreshRow {
  id: string;
  user_id: string;
  family_id: string;
  expires_at: Date;
  idle_expires_at: Date;
  rotated_at: Date | null;
  revoked_at: Date | null;
}

const toRefreshTokenRecord = (row: RefreshRow): RefreshTokenRecord => ({
  id: row.id,
  userId: row.user_id,
  familyId: row.family_id,
  expiresAt: row.expires_at,
  idleExpiresAt: row.idle_expires_at,
  rotatedAt: row.rotated_at,
  revokedAt: row.revoked_at,
});

/**
 * The refresh_tokens table. Raw SQL (sql()): sign-in, refresh and every token check go through
 * here, one short statement each, looked up by the unique token hash or the family.
 */
export const refreshTokenRepository = {
  async insert(target: DbTarget, token: { userId: string; familyId: string; tokenHash: string; expiresAt: Date; idleExpiresAt: Date }): Promise<void> {
    await sql(target, 'INSERT INTO refresh_tokens (user_id, family_id, token_hash, expires_at, idle_expires_at) VALUES ($1, $2, $3, $4, $5)', [
      token.userId,
      token.familyId,
      token.tokenHash,
      token.expiresAt,
      token.idleExpiresAt,
    ]);
  },

  /** The family (sign-in) of a token, used or not; `userId` narrows it to that user's tokens. */
  async familyOf(target: DbTarget, tokenHash: string, userId?: string): Promise<string | null> {
    const row =
      userId === undefined
        ? await sqlOne<{ family_id: string }>(target, 'SELECT family_id FROM refresh_tokens WHERE token_hash = $1', [tokenHash])
        : await sqlOne<{ family_id: string }>(target, 'SELECT family_id FROM refresh_tokens WHERE token_hash = $1 AND user_id = $2', [tokenHash, userId]);
    return row?.family_id ?? null;
  },

  /** The token with this hash, its row locked until `tx` ends. */
  async lockByHash(tx: Tx, tokenHash: string): Promise<RefreshTokenRecord | undefined> {
    const row = await sqlOne<RefreshRow>(
      tx,
      'SELECT id, user_id, family_id, expires_at, idle_expires_at, rotated_at, revoked_at FROM refresh_tokens WHERE token_hash = $1 FOR UPDATE',
      [tokenHash],
    );
    return row && toRefreshTokenRecord(row);
  },

  async markRotated(tx: Tx, id: string): Promise<void> {
    await sql(tx, 'UPDATE refresh_tokens SET rotated_at = now() WHERE id = $1', [id]);
  },

  async revokeFamily(tx: Tx, familyId: string): Promise<void> {
    await sql(tx, 'UPDATE refresh_tokens SET revoked_at = coalesce(revoked_at, now()) WHERE family_id = $1', [familyId]);
  },

  async revokeAllOf(tx: Tx, userId: string): Promise<void> {
    await sql(tx, 'UPDATE refresh_tokens SET revoked_at = now() WHERE user_id = $1 AND revoked_at IS NULL', [userId]);
  },

  /** Deletes at most `batch` tokens a day past their expiry (SKIP LOCKED: safe on every instance at once); answers how many. */
  async purgeExpired(db: Db, batch: number): Promise<number> {
    const rows = await sql(
      db,
      `DELETE FROM refresh_tokens WHERE id IN (
         SELECT id FROM refresh_tokens WHERE expires_at < now() - interval '1 day' LIMIT $1 FOR UPDATE SKIP LOCKED) RETURNING 1`,
      [batch],
    );
    return rows.length;
  },
};

/**
 * "Has the sign-in `familyIdParam` (a uuid placeholder of the caller's statement) been ended?", as a
 * boolean SQL expression over this table: fused into users' per-request token check, so that check
 * stays one round trip (see `findTokenHolder`).
 */
export function sessionEndedSql(familyIdParam: string): string {
  return `EXISTS (SELECT 1 FROM refresh_tokens r WHERE r.family_id = ${familyIdParam}::uuid AND r.revoked_at IS NOT NULL)`;
}
