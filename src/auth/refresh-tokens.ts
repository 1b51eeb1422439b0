import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { Sequelize } from 'sequelize-typescript';
import { QueryTypes, type Transaction } from 'sequelize';
import type { Config } from '../platform/config';
import { UnauthorizedError } from '../platform/errors';
import { recordInternalEvent } from '../platform/events';

const DAY_MS = 86_400_000;

function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
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

/**
 * Opaque refresh tokens, stored as SHA-256 hashes, grouped in families (one per sign-in).
 * Each use rotates the token; presenting a rotated token again means it was stolen or replayed,
 * so the whole family is revoked (RFC 9700 reuse detection).
 */
export class RefreshTokens {
  constructor(
    private readonly sequelize: Sequelize,
    private readonly config: Config['refreshToken'],
  ) {}

  /** A new token; without `family`, the first of a new sign-in (whose id is the session id of its access tokens). */
  async issue(userId: string, tx?: Transaction, family?: { id: string; expiresAt: Date }): Promise<{ token: string; familyId: string }> {
    const familyId = family?.id ?? randomUUID();
    const token = randomBytes(32).toString('base64url');
    const now = Date.now();
    const expiresAt = family?.expiresAt ?? new Date(now + this.config.absoluteTtlDays * DAY_MS);
    const idle = new Date(Math.min(expiresAt.getTime(), now + this.config.idleTtlDays * DAY_MS));
    await this.sequelize.query(
      `INSERT INTO refresh_tokens (user_id, family_id, token_hash, expires_at, idle_expires_at)
       VALUES (:userId, :familyId, :hash, :expiresAt, :idle)`,
      {
        replacements: { userId, familyId, hash: hashToken(token), expiresAt, idle },
        transaction: tx,
      },
    );
    return { token, familyId };
  }

  /** The sign-in (family id) a refresh token belongs to, used or not; null for an unknown token. */
  async sessionOf(token: string): Promise<string | null> {
    const [row] = await this.sequelize.query<{ family_id: string }>('SELECT family_id FROM refresh_tokens WHERE token_hash = :hash', {
      replacements: { hash: hashToken(token) },
      type: QueryTypes.SELECT,
    });
    return row?.family_id ?? null;
  }

  /**
   * Uses up a refresh token and returns its user and a fresh token of the same family.
   * Reuse revokes the family; the revocation is committed even though the request fails.
   */
  async rotate(
    token: string,
    isUserActive: (userId: string, tx: Transaction) => Promise<boolean>,
  ): Promise<{ userId: string; token: string; familyId: string }> {
    const outcome = await this.sequelize.transaction(async (tx) => {
      const [row] = await this.sequelize.query<RefreshRow>('SELECT * FROM refresh_tokens WHERE token_hash = :hash FOR UPDATE', {
        replacements: { hash: hashToken(token) },
        type: QueryTypes.SELECT,
        transaction: tx,
      });
      if (!row || row.revoked_at) return { kind: 'invalid' as const };
      if (row.rotated_at) {
        await this.revokeFamily(row.user_id, row.family_id, tx);
        return { kind: 'reused' as const };
      }
      const now = Date.now();
      if (row.expires_at.getTime() <= now || row.idle_expires_at.getTime() <= now) return { kind: 'invalid' as const };
      if (!(await isUserActive(row.user_id, tx))) return { kind: 'invalid' as const };
      await this.sequelize.query('UPDATE refresh_tokens SET rotated_at = now() WHERE id = :id', {
        replacements: { id: row.id },
        transaction: tx,
      });
      const next = await this.issue(row.user_id, tx, { id: row.family_id, expiresAt: row.expires_at });
      return { kind: 'rotated' as const, userId: row.user_id, token: next.token, familyId: row.family_id };
    });
    if (outcome.kind === 'reused') {
      throw new UnauthorizedError('This refresh token was already used; the session has been revoked. Sign in again.', 'refresh-token-reused');
    }
    if (outcome.kind === 'invalid') {
      throw new UnauthorizedError('The refresh token is invalid, expired or revoked.', 'invalid-refresh-token');
    }
    return { userId: outcome.userId, token: outcome.token, familyId: outcome.familyId };
  }

  /**
   * Logout: revokes the family of a token belonging to `userId` (its access tokens stop working and
   * its sockets are cut). Unknown tokens are a 401.
   */
  async revokeFamilyOf(token: string, userId: string): Promise<void> {
    await this.sequelize.transaction(async (tx) => {
      const [row] = await this.sequelize.query<{ family_id: string }>(
        'SELECT family_id FROM refresh_tokens WHERE token_hash = :hash AND user_id = :userId',
        { replacements: { hash: hashToken(token), userId }, type: QueryTypes.SELECT, transaction: tx },
      );
      if (!row) throw new UnauthorizedError('The refresh token is invalid or not yours.', 'invalid-refresh-token');
      await this.revokeFamily(userId, row.family_id, tx);
    });
  }

  /** A disabled account: every refresh token it still holds stops working (in the caller's transaction). */
  async revokeAllOf(userId: string, tx: Transaction): Promise<void> {
    await this.sequelize.query('UPDATE refresh_tokens SET revoked_at = now() WHERE user_id = :userId AND revoked_at IS NULL', {
      replacements: { userId },
      transaction: tx,
    });
  }

  private async revokeFamily(userId: string, familyId: string, tx: Transaction): Promise<void> {
    await this.sequelize.query('UPDATE refresh_tokens SET revoked_at = coalesce(revoked_at, now()) WHERE family_id = :familyId', {
      replacements: { familyId },
      transaction: tx,
    });
    await recordInternalEvent(tx, { type: 'session.revoked', data: { userId, sessionId: familyId } });
  }
}
