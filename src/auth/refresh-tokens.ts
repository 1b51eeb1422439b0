import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { Config } from '../platform/config';
import type { Db, Tx } from '../platform/db/db';
import type { ModulePurge } from '../platform/background/module-purge';
import { UnauthorizedError } from '../platform/errors';
import { recordInternalEvent } from '../platform/events';
import { refreshTokenRepository as tokens } from './refresh-token.repository';

const DAY_MS = 86_400_000;

function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/**
 * Opaque refresh tokens, stored as SHA-256 hashes, grouped in families (one per sign-in).
 * Each use rotates the token; presenting a rotated token again means it was stolen or replayed,
 * so the whole family is revoked (RFC 9700 reuse detection).
 */
export class RefreshTokens {
  constructor(
    private readonly db: Db,
    private readonly config: Config['refreshToken'],
  ) {}

  /**
   * A new token: of `family` when it has an `expiresAt` (a rotation), else the first of a new sign-in
   * (whose id, `family.id` when given, is the session id of its access tokens).
   */
  async issue(userId: string, tx?: Tx, family?: { id: string; expiresAt?: Date }): Promise<{ token: string; familyId: string }> {
    const familyId = family?.id ?? randomUUID();
    const token = randomBytes(32).toString('base64url');
    const now = Date.now();
    const expiresAt = family?.expiresAt ?? new Date(now + this.config.absoluteTtlDays * DAY_MS);
    const idle = new Date(Math.min(expiresAt.getTime(), now + this.config.idleTtlDays * DAY_MS));
    await tokens.insert(tx ?? this.db, { userId, familyId, tokenHash: hashToken(token), expiresAt, idleExpiresAt: idle });
    return { token, familyId };
  }

  /** The sign-in (family id) a refresh token belongs to, used or not; null for an unknown token. */
  async sessionOf(token: string): Promise<string | null> {
    return tokens.familyOf(this.db, hashToken(token));
  }

  /**
   * Uses up a refresh token and returns its user and a fresh token of the same family.
   * Reuse revokes the family; the revocation is committed even though the request fails.
   */
  async rotate(token: string, isUserActive: (userId: string, tx: Tx) => Promise<boolean>): Promise<{ userId: string; token: string; familyId: string }> {
    const outcome = await this.db.transaction(async (tx) => {
      const row = await tokens.lockByHash(tx, hashToken(token));
      if (!row || row.revokedAt) return { kind: 'invalid' as const };
      if (row.rotatedAt) {
        await this.revokeFamily(row.userId, row.familyId, tx);
        return { kind: 'reused' as const };
      }
      const now = Date.now();
      if (row.expiresAt.getTime() <= now || row.idleExpiresAt.getTime() <= now) return { kind: 'invalid' as const };
      if (!(await isUserActive(row.userId, tx))) return { kind: 'invalid' as const };
      await tokens.markRotated(tx, row.id);
      const next = await this.issue(row.userId, tx, { id: row.familyId, expiresAt: row.expiresAt });
      return { kind: 'rotated' as const, userId: row.userId, token: next.token, familyId: row.familyId };
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
    await this.db.transaction(async (tx) => {
      const familyId = await tokens.familyOf(tx, hashToken(token), userId);
      if (familyId === null) throw new UnauthorizedError('The refresh token is invalid or not yours.', 'invalid-refresh-token');
      await this.revokeFamily(userId, familyId, tx);
    });
  }

  /** A disabled account: every refresh token it still holds stops working (in the caller's transaction). */
  async revokeAllOf(userId: string, tx: Tx): Promise<void> {
    await tokens.revokeAllOf(tx, userId);
  }

  private async revokeFamily(userId: string, familyId: string, tx: Tx): Promise<void> {
    await tokens.revokeFamily(tx, familyId);
    await recordInternalEvent(tx, { type: 'session.revoked', data: { userId, sessionId: familyId } });
  }
}

/** Auth's purge for the housekeeper: refresh tokens a day past their expiry. */
export function refreshTokenPurge(db: Db): ModulePurge {
  return { what: 'refresh tokens', run: (batch) => tokens.purgeExpired(db, batch) };
}
