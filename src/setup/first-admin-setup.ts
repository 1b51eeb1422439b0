import { createHash, randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import type { Db } from '../platform/db/db';
import type { RequestBody } from '../platform/http/contract';
import { AppError, NotFoundError } from '../platform/errors';
import { RateLimit, type LimiterFactory } from '../platform/rate-limit';
import { hashPassword, type UsersService, type UserView } from '../users';
import { setupRepository as codes } from './setup.repository';

/** How long a printed setup link stays valid. */
export const SETUP_CODE_TTL_MS = 60 * 60 * 1000;
/** Attempts per client address in a quarter of an hour (the code has 192 random bits; this is insurance). */
const ATTEMPTS_PER_ADDRESS = 10;
const ATTEMPT_WINDOW_SECONDS = 15 * 60;

export interface IssuedSetupCode {
  code: string;
  expiresAt: Date;
}

function hashOf(code: string): Buffer {
  return createHash('sha256').update(code, 'utf8').digest();
}

const invalidCode = () =>
  new AppError('invalid-setup-code', 403, 'This setup code is wrong, already used or expired. Restart the service to print a new setup link.');

/**
 * The way in on a fresh install with no ADMIN_EMAIL/ADMIN_PASSWORD: at start-up, while no admin
 * exists, a random one-time code is issued (only its hash is stored) and printed as a setup link;
 * whoever holds it may create the first admin, once, within the hour. Once any admin exists the
 * door is closed (404), whatever codes are still unspent.
 *
 * The endpoint is anonymous, so a flood of it must cost the service nothing it needs elsewhere: a
 * closed door answers from memory, a wrong code is refused by one read, the password is hashed
 * before any connection is taken, and only a request with a valid code opens a transaction, which
 * does all its work on that one connection.
 */
export class FirstAdminSetup {
  private readonly attempts: RateLimit;
  /**
   * Once an admin exists one always will (users are never deleted; the last active admin cannot be
   * disabled or demoted, and a disabled admin still counts), so "closed" is remembered. "Open" is
   * not: another instance may create the admin.
   */
  private closed = false;

  constructor(
    private readonly db: Db,
    private readonly users: UsersService,
    private readonly logger: Logger,
    limiters: LimiterFactory,
  ) {
    this.attempts = new RateLimit({ name: 'first-admin', limit: ATTEMPTS_PER_ADDRESS, windowSeconds: ATTEMPT_WINDOW_SECONDS }, limiters);
  }

  /** True while no admin exists (the setup page and operation are open). */
  async isOpen(): Promise<boolean> {
    if (this.closed) return false;
    if (await this.users.hasAdmin()) this.closed = true;
    return !this.closed;
  }

  /** A fresh code when no admin exists (null otherwise); earlier unspent codes stay valid until they expire. */
  async issueCode(now = new Date()): Promise<IssuedSetupCode | null> {
    if (!(await this.isOpen())) return null;
    const code = randomBytes(24).toString('base64url');
    const expiresAt = new Date(now.getTime() + SETUP_CODE_TTL_MS);
    await codes.insertCode(this.db, { codeHash: hashOf(code), expiresAt });
    return { code, expiresAt };
  }

  /**
   * Spends the code and creates the admin. Under one advisory lock, so two requests with the same
   * code (or two codes at once) create one admin: the second finds an admin and gets a 404.
   */
  async createFirstAdmin(input: RequestBody<'createFirstAdmin'>, clientAddress: string): Promise<UserView> {
    if (!(await this.isOpen())) throw new NotFoundError('The first-admin setup');
    await this.attempts.consume(clientAddress);
    const codeHash = hashOf(input.code);
    // A wrong code is refused without a transaction or the lock (checked again under it).
    if (!(await codes.isSpendable(this.db, codeHash))) throw invalidCode();
    // Checks the password policy and pays for the hash before any connection is held.
    const passwordHash = await hashPassword(input.password);
    const admin = await this.db.transaction(async (tx) => {
      await codes.lockFirstAdmin(tx);
      if (await this.users.hasAdmin(tx)) throw new NotFoundError('The first-admin setup');
      if (!(await codes.spend(tx, codeHash))) throw invalidCode();
      return this.users.createHashed({ email: input.email, name: input.name, role: 'admin', passwordHash }, tx);
    });
    this.closed = true;
    this.logger.info({ userId: admin.id, email: admin.email }, 'first admin created through the setup link');
    return admin;
  }
}
