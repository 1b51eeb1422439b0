import type { Logger } from 'pino';
import type { Db, Tx } from '../platform/db/db';
import { AppError, ConflictError, NotFoundError, UnauthorizedError, ValidationError, isUniqueViolation } from '../platform/errors';
import { ConfigError } from '../platform/config';
import { recordInternalEvent } from '../platform/events';
import { cursorScope, keysetAfter, toPage, type Page } from '../platform/http/pagination';
import type { Role, Schemas } from '../platform/http/contract';
import { hashPassword } from './password';
import { userRepository as users, type UserRecord } from './user.repository';
import { likePattern } from '../platform/db/like';
import { userSummaryRepository } from './user-summary.repository';
import type { AccountMailer } from '../email';

export type UserView = Schemas['User'];
export type CustomerSummary = Schemas['CustomerSummary'];

/** At most this many customers widen an order search by name or email (the rest need a longer query). */
export const MAX_MATCHED_CUSTOMERS = 500;

export function toUserView(user: UserRecord): UserView {
  return {
    id: user.id,
    email: user.email,
    name: user.name,
    role: user.role,
    disabled: user.disabled,
    orderEmails: user.orderEmails,
    createdAt: user.createdAt.toISOString(),
    updatedAt: user.updatedAt.toISOString(),
  };
}

/**
 * Ends what auth holds for a user, in the caller's transaction: every refresh token (sign-in) and
 * every pending password-reset token (answered by auth, which owns them).
 */
export type RevokeCredentials = (userId: string, tx: Tx) => Promise<void>;

/** How a password came to be replaced (said in the "Password modificata" mail). */
export type PasswordChange = 'changed' | 'reset' | 'admin';

/** What UsersService needs from the modules it may not import (wired in src/services.ts). */
export interface AccountPorts {
  revokeCredentials: RevokeCredentials;
  mailer: AccountMailer;
}

export interface NewUser {
  email: string;
  password: string;
  name: string;
  role: Role;
}

/** Accounts: creation, lookup, listing and the admin guard. Never returns password hashes upward. */
export class UsersService {
  constructor(
    private readonly db: Db,
    private readonly logger: Logger,
    /** Absent only in the CLI, which never changes users. */
    private readonly account?: AccountPorts,
  ) {}

  async create(input: NewUser): Promise<UserView> {
    const { password, ...rest } = input;
    return this.createHashed({ ...rest, passwordHash: await hashPassword(password) });
  }

  /**
   * Creates a user whose password the caller hashed with `hashPassword` (which also applies the
   * password policy), in `tx` when given: the hash is paid for before the transaction, never on its
   * connection.
   */
  async createHashed(input: Omit<NewUser, 'password'> & { passwordHash: string }, tx?: Tx): Promise<UserView> {
    try {
      const user = await users.insert(
        {
          email: input.email.trim(),
          name: input.name.trim(),
          role: input.role,
          passwordHash: input.passwordHash,
          disabled: false,
          tokenVersion: 0,
          orderEmails: true,
        },
        tx,
      );
      return toUserView(user);
    } catch (err) {
      if (isUniqueViolation(err, 'users_email_lower_key')) {
        throw new ConflictError('email-taken', 'An account with this email already exists.');
      }
      throw err;
    }
  }

  /** True when at least one admin account exists (enabled or not); inside `tx` when given. */
  async hasAdmin(tx?: Tx): Promise<boolean> {
    return (await users.countAdmins({ activeOnly: false, tx })) > 0;
  }

  async findByEmail(email: string): Promise<UserRecord | null> {
    return users.findByEmail(email);
  }

  /** The user (no row lock), inside `tx` when given: a caller holding a transaction never waits for a second connection. */
  async findById(id: string, tx?: Tx): Promise<UserRecord | null> {
    return users.findById(id, tx, false);
  }

  /** The user with this email (case-insensitive), its row locked until `tx` ends; null when there is none. */
  async lockByEmail(tx: Tx, email: string): Promise<UserRecord | null> {
    return users.lockByEmail(tx, email);
  }

  /** The user, its row locked until `tx` ends; null when there is none. */
  async lockById(tx: Tx, id: string): Promise<UserRecord | null> {
    return users.lockById(tx, id);
  }

  /** id, name and email of each user named, in one query (inside `tx` when given); unknown ids are left out. */
  async summaries(ids: readonly string[], tx?: Tx): Promise<Map<string, CustomerSummary>> {
    const unique = [...new Set(ids)];
    if (unique.length === 0) return new Map();
    const rows = await userSummaryRepository.find(tx ?? this.db, unique);
    return new Map(rows.map((u) => [u.id, { id: u.id, name: u.name, email: u.email }]));
  }

  /** Whether the user wants order mails (a customer may turn them off; account mails always go); inside `tx` when given. */
  async wantsOrderEmails(id: string, tx?: Tx): Promise<boolean> {
    return (await userSummaryRepository.orderEmails(tx ?? this.db, id)) ?? false;
  }

  /** Ids of the customers whose name or email contains `q` (case-insensitive), at most MAX_MATCHED_CUSTOMERS. */
  async customerIdsMatching(q: string): Promise<string[]> {
    return users.customerIdsLike(likePattern(q), MAX_MATCHED_CUSTOMERS);
  }

  async get(id: string): Promise<UserView> {
    const user = await users.findById(id);
    if (!user) throw new NotFoundError('The user');
    return toUserView(user);
  }

  async list(query: { limit: number; cursor?: string; role?: Role; q?: string }): Promise<Page<UserView>> {
    const scope = cursorScope(query);
    const after = keysetAfter(query.cursor, ['timestamp', 'uuid'], scope);
    const rows = await users.listNewestFirst({ limit: query.limit + 1, role: query.role, like: query.q ? likePattern(query.q) : undefined, after });
    return toPage(rows, query.limit, toUserView, (u) => [u.createdAt.toISOString(), u.id], scope);
  }

  /**
   * Changes name, role or disabled state. The admin rows are locked so that two admins demoting
   * each other at once cannot leave the system with no active admin.
   */
  async update(id: string, patch: { name?: string; role?: Role; disabled?: boolean }): Promise<UserView> {
    return this.db.transaction(async (tx) => {
      await users.lockAdmins(tx);
      const user = await users.findById(id, tx);
      if (!user) throw new NotFoundError('The user');
      const losesAdmin = user.role === 'admin' && !user.disabled && ((patch.role !== undefined && patch.role !== 'admin') || patch.disabled === true);
      if (losesAdmin) {
        const activeAdmins = await users.countAdmins({ activeOnly: true, tx });
        if (activeAdmins <= 1) {
          throw new ConflictError('last-admin', 'The last active admin cannot be disabled or demoted.');
        }
      }
      const revokes = (patch.disabled === true && !user.disabled) || (patch.role !== undefined && patch.role !== user.role);
      const wanted = { name: patch.name?.trim(), role: patch.role, disabled: patch.disabled };
      const changes = Object.fromEntries(Object.entries(wanted).filter(([key, value]) => value !== undefined && value !== user[key as keyof typeof wanted]));
      // A new token version makes every outstanding access token of this user stale at once.
      if (revokes) Object.assign(changes, { tokenVersion: user.tokenVersion + 1 });
      const stored = Object.keys(changes).length > 0 ? await users.update(tx, id, changes) : user;
      if (patch.disabled === true) await this.ports('disable a user').revokeCredentials(id, tx);
      // Open sockets were authorised with the old role or an enabled account: cut them.
      if (revokes) await recordInternalEvent(tx, { type: 'user.sessions_revoked', data: { userId: id } });
      return toUserView(stored);
    });
  }

  /**
   * Sets a new password chosen by an admin and ends every session of the user, as disabling does
   * (see replacePassword). The row lock orders it against a concurrent update of the same user.
   */
  async setPassword(id: string, password: string): Promise<void> {
    const passwordHash = await hashPassword(password);
    await this.db.transaction(async (tx) => {
      const user = await users.lockById(tx, id);
      if (!user) throw new NotFoundError('The user');
      await this.replacePassword(tx, user, passwordHash, 'admin');
    });
  }

  /**
   * Replaces the password of `user`, whose row `tx` holds locked (the caller hashed the password
   * before the transaction: argon2 never runs on a held connection), and ends every session of the
   * user: refresh tokens and pending reset tokens revoked (auth), access tokens stale at once (a new
   * token version), sockets cut (`user.sessions_revoked`) — all but those of `keepSessionId`, the
   * sign-in the caller opens in the same transaction for the device that made the change. The user
   * is mailed "Password modificata" in the same transaction.
   */
  async replacePassword(tx: Tx, user: UserRecord, passwordHash: string, how: PasswordChange, keepSessionId?: string): Promise<UserRecord> {
    const account = this.ports('replace a password');
    const stored = await users.update(tx, user.id, { passwordHash, tokenVersion: user.tokenVersion + 1 });
    await account.revokeCredentials(user.id, tx);
    await recordInternalEvent(tx, { type: 'user.sessions_revoked', data: { userId: user.id, ...(keepSessionId ? { exceptSessionId: keepSessionId } : {}) } });
    await account.mailer.queue(tx, {
      template: 'password_changed',
      to: { userId: stored.id, email: stored.email, name: stored.name },
      changedAt: stored.updatedAt,
      how,
    });
    return stored;
  }

  /** The user's own settings (PATCH /auth/me): whether it gets order mails (account mails always go). */
  async updateOwnSettings(id: string, patch: { orderEmails?: boolean }): Promise<UserView> {
    return this.db.transaction(async (tx) => {
      const user = await users.lockById(tx, id);
      if (!user) throw new UnauthorizedError();
      const changed = patch.orderEmails !== undefined && patch.orderEmails !== user.orderEmails;
      return toUserView(changed ? await users.update(tx, id, { orderEmails: patch.orderEmails }) : user);
    });
  }

  private ports(what: string): AccountPorts {
    if (!this.account) throw new Error(`UsersService needs auth and the account mailer to ${what}`);
    return this.account;
  }

  /**
   * Creates the first admin from ADMIN_EMAIL / ADMIN_PASSWORD when no admin exists. Idempotent
   * across restarts and never overwrites an existing user.
   */
  async ensureInitialAdmin(admin: { email: string; password: string } | null): Promise<void> {
    if (!admin) return;
    if (await this.hasAdmin()) return;
    const sameEmail = await this.findByEmail(admin.email);
    if (sameEmail) {
      this.logger.warn({ email: admin.email }, 'ADMIN_EMAIL belongs to an existing non-admin user; no admin created');
      return;
    }
    try {
      await this.create({ email: admin.email, password: admin.password, name: 'Administrator', role: 'admin' });
      this.logger.info({ email: admin.email }, 'initial admin created');
    } catch (err) {
      // Another instance created it at the same moment.
      if (err instanceof AppError && err.code === 'email-taken') return;
      // The password policy refused ADMIN_PASSWORD (or ADMIN_EMAIL): say which setting to change.
      if (err instanceof ValidationError) {
        const fields = err.errors.map((e) => `${e.path.replace(/^body\./, '')}: ${e.message}`).join('; ');
        const variable = err.errors.some((e) => e.path.endsWith('password')) ? 'ADMIN_PASSWORD' : 'ADMIN_EMAIL';
        throw new ConfigError(variable, `is refused: ${err.detail}${fields ? ` (${fields})` : ''}`);
      }
      throw err;
    }
  }
}
