import { createHash, randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Db, Tx } from '../platform/db/db';
import type { ModulePurge } from '../platform/background/module-purge';
import { AppError } from '../platform/errors';
import type { RateLimit } from '../platform/rate-limit';
import type { AccountMailer } from '../email';
import { assertAcceptablePassword, hashPassword, type UsersService } from '../users';
import { passwordResetTokenRepository as tokens } from './password-reset-token.repository';

const TOKEN_BYTES = 32;
const TOKEN_TTL_MS = 30 * 60_000;
const HOUR_MS = 3_600_000;
/** Reset mails per address per hour; further requests are answered the same and send nothing. */
export const RESET_MAILS_PER_HOUR = 3;
/** Stands for "no such account" in the statements an unknown address runs like a known one. */
const NO_USER = '00000000-0000-0000-0000-000000000000';
const NEW_PASSWORD_FIELD = 'body.newPassword';
/**
 * A reset request is answered no sooner than this after it began: what work an address costs (its
 * row locked, a token and a mail written, or nothing) then never shows in the answer's timing, even
 * on a loaded machine where the same statements take unequal times. Far above the work's usual few
 * milliseconds; no connection is held while waiting.
 */
export const RESET_ANSWER_FLOOR_MS = 100;

const sha256 = (token: string): string => createHash('sha256').update(token).digest('hex');

export interface PasswordResetDeps {
  db: Db;
  users: UsersService;
  mailer: AccountMailer;
  /** The link mailed, `{token}` replaced by the token (config.mail.passwordResetUrl). */
  resetUrl: string;
  /** Requests per client address (RATE_LIMIT_PASSWORD_RESET_PER_15_MINUTES). */
  limit: RateLimit;
}

/**
 * A forgotten password: a single-use token mailed as a link, then a new password set with it.
 *
 * The token is 32 random bytes (base64url), stored only as its SHA-256, valid 30 minutes, used at
 * most once, and superseded (revoked) by a newer token and by any change of the password. The link
 * carries it in the URL fragment, which browsers never send to a server nor put in a Referer.
 */
export class PasswordReset {
  constructor(private readonly deps: PasswordResetDeps) {}

  /**
   * Answers nothing, whatever the address: known, unknown and disabled accounts get the same answer
   * in the same time, so the endpoint reveals no account. Each runs the same statements in one
   * transaction (the account's row lock, the count of its recent tokens, the revocation of its open
   * ones, a WAL write so that every commit waits for the same flush); only an enabled account under
   * its hourly cap then also gets its token row and its mail row, in that transaction (the mail is
   * sent after the commit by the mail worker: SMTP is never called here). The answer then waits for
   * RESET_ANSWER_FLOOR_MS after the start, which hides what difference is left.
   */
  async request(email: string, clientAddress: string): Promise<void> {
    await this.deps.limit.consume(clientAddress);
    const answerAt = Date.now() + RESET_ANSWER_FLOOR_MS;
    // Drawn for every address, so unknown ones spend the same work.
    const token = randomBytes(TOKEN_BYTES).toString('base64url');
    const tokenHash = sha256(token);
    await this.deps.db.transaction(async (tx) => {
      const found = await this.deps.users.lockByEmail(tx, email);
      const account = found && !found.disabled ? found : null;
      const issued = await tokens.countIssuedSince(tx, account?.id ?? NO_USER, new Date(Date.now() - HOUR_MS));
      const user = account && issued < RESET_MAILS_PER_HOUR ? account : null;
      await tokens.revokeOpen(tx, user?.id ?? NO_USER);
      await tokens.flushOnCommit(tx);
      if (!user) return;
      const expiresAt = await tokens.insert(tx, { userId: user.id, tokenHash, ttlMs: TOKEN_TTL_MS });
      await this.deps.mailer.queue(tx, {
        template: 'password_reset',
        to: { userId: user.id, email: user.email, name: user.name },
        resetUrl: this.deps.resetUrl.replaceAll('{token}', token),
        expiresAt,
      });
    });
    await sleep(Math.max(0, answerAt - Date.now()));
  }

  /**
   * Sets the new password with a token: what a password change does (every session ended,
   * "Password modificata" mailed), without signing in. The token is checked first without a lock,
   * so a wrong one costs no argon2 hash; the hash is made outside the transaction; then the user's
   * row is locked (before the token's, the order every password change takes them in) and the
   * token used up by a conditional update: of concurrent confirmations exactly one succeeds.
   */
  async confirm(token: string, newPassword: string): Promise<void> {
    assertAcceptablePassword(newPassword, NEW_PASSWORD_FIELD);
    const tokenHash = sha256(token);
    const found = await tokens.findByHash(this.deps.db, tokenHash);
    if (!found || found.usedAt || found.revokedAt || found.expiresAt.getTime() <= Date.now()) throw invalidResetToken();
    const passwordHash = await hashPassword(newPassword, NEW_PASSWORD_FIELD);
    await this.deps.db.transaction(async (tx) => {
      const user = await this.deps.users.lockById(tx, found.userId);
      if (!user || user.disabled || !(await tokens.markUsed(tx, found.id))) throw invalidResetToken();
      await this.deps.users.replacePassword(tx, user, passwordHash, 'reset');
    });
  }
}

/** Auth's share of ending a user's credentials (UsersService's RevokeCredentials port): the open reset tokens. */
export function revokePasswordResets(userId: string, tx: Tx): Promise<void> {
  return tokens.revokeOpen(tx, userId);
}

/** Auth's purge for the housekeeper: reset tokens a day past their expiry. */
export function passwordResetTokenPurge(db: Db): ModulePurge {
  return { what: 'password-reset tokens', run: (batch) => tokens.purgeExpired(db, batch) };
}

function invalidResetToken(): AppError {
  return new AppError(
    'invalid-reset-token',
    400,
    'This reset link is not valid: it is unknown, already used, replaced by a newer one or expired. Ask for a new one.',
  );
}
