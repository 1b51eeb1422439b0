import { Op, type Transaction, type WhereOptions } from 'sequelize';
import type { Sequelize } from 'sequelize-typescript';
import type { Logger } from 'pino';
import { AppError, ConflictError, NotFoundError, ValidationError, isUniqueViolation } from '../platform/errors';
import { ConfigError } from '../platform/config';
import { recordInternalEvent } from '../platform/events';
import { cursorScope, decodeCursor, toPage, type Page } from '../platform/http/pagination';
import type { Role, Schemas } from '../platform/http/contract';
import { UserModel } from './user.model';
import { hashPassword } from './password';
import { userRepository } from './user.repository';
import { likePattern } from '../platform/db/like';
import { userSummaryRepository } from './user-summary.repository';

export type UserView = Schemas['User'];
export type CustomerSummary = Schemas['CustomerSummary'];

/** At most this many customers widen an order search by name or email (the rest need a longer query). */
export const MAX_MATCHED_CUSTOMERS = 500;

export function toUserView(user: UserModel): UserView {
  return {
    id: user.id,
    email: user.email,
    name: user.name,
    role: user.role,
    disabled: user.disabled,
    createdAt: user.createdAt.toISOString(),
    updatedAt: user.updatedAt.toISOString(),
  };
}

/** Ends every refresh token of a user, in the caller's transaction (answered by auth, which owns them). */
export type RevokeRefreshTokens = (userId: string, tx: Transaction) => Promise<void>;

export interface NewUser {
  email: string;
  password: string;
  name: string;
  role: Role;
}

/** Accounts: creation, lookup, listing and the admin guard. Never returns password hashes upward. */
export class UsersService {
  constructor(
    private readonly sequelize: Sequelize,
    private readonly logger: Logger,
    /** Absent only in the CLI, which never changes users. */
    private readonly revokeRefreshTokens?: RevokeRefreshTokens,
  ) {}

  async create(input: NewUser): Promise<UserView> {
    const passwordHash = await hashPassword(input.password);
    try {
      const user = await UserModel.create({
        email: input.email.trim(),
        name: input.name.trim(),
        role: input.role,
        passwordHash,
        disabled: false,
        tokenVersion: 0,
      });
      return toUserView(user);
    } catch (err) {
      if (isUniqueViolation(err, 'users_email_lower_key')) {
        throw new ConflictError('email-taken', 'An account with this email already exists.');
      }
      throw err;
    }
  }

  /** True when at least one admin account exists (enabled or not). */
  async hasAdmin(): Promise<boolean> {
    return (await UserModel.count({ where: { role: 'admin' } })) > 0;
  }

  async findByEmail(email: string): Promise<UserModel | null> {
    return UserModel.findOne({ where: this.sequelize.where(this.sequelize.fn('lower', this.sequelize.col('email')), email.trim().toLowerCase()) });
  }

  async findById(id: string): Promise<UserModel | null> {
    return UserModel.findByPk(id);
  }

  /** id, name and email of each user named, in one query (inside `tx` when given); unknown ids are left out. */
  async summaries(ids: readonly string[], tx?: Transaction): Promise<Map<string, CustomerSummary>> {
    const unique = [...new Set(ids)];
    if (unique.length === 0) return new Map();
    const rows = await userSummaryRepository.find(tx ?? this.sequelize, unique);
    return new Map(rows.map((u) => [u.id, { id: u.id, name: u.name, email: u.email }]));
  }

  /** Ids of the customers whose name or email contains `q` (case-insensitive), at most MAX_MATCHED_CUSTOMERS. */
  async customerIdsMatching(q: string): Promise<string[]> {
    const like = likePattern(q);
    const rows = await UserModel.findAll({
      attributes: ['id'],
      where: { role: 'customer', [Op.or]: [{ email: { [Op.iLike]: like } }, { name: { [Op.iLike]: like } }] },
      limit: MAX_MATCHED_CUSTOMERS,
    });
    return rows.map((u) => u.id);
  }

  async get(id: string): Promise<UserView> {
    const user = await UserModel.findByPk(id);
    if (!user) throw new NotFoundError('The user');
    return toUserView(user);
  }

  async list(query: { limit: number; cursor?: string; role?: Role; q?: string }): Promise<Page<UserView>> {
    const scope = cursorScope(query);
    const after = decodeCursor(query.cursor, 2, scope) as [string, string] | undefined;
    const and: WhereOptions[] = [];
    if (query.role) and.push({ role: query.role });
    if (query.q) {
      const like = likePattern(query.q);
      and.push({ [Op.or]: [{ email: { [Op.iLike]: like } }, { name: { [Op.iLike]: like } }] });
    }
    if (after) {
      const [createdAt, id] = after;
      and.push({
        [Op.or]: [{ createdAt: { [Op.lt]: createdAt } }, { createdAt, id: { [Op.lt]: id } }],
      });
    }
    const rows = await UserModel.findAll({
      where: { [Op.and]: and },
      order: [
        ['createdAt', 'DESC'],
        ['id', 'DESC'],
      ],
      limit: query.limit + 1,
    });
    return toPage(rows, query.limit, toUserView, (u) => [u.createdAt.toISOString(), u.id], scope);
  }

  /**
   * Changes name, role or disabled state. The admin rows are locked so that two admins demoting
   * each other at once cannot leave the system with no active admin.
   */
  async update(id: string, patch: { name?: string; role?: Role; disabled?: boolean }): Promise<UserView> {
    return this.sequelize.transaction(async (tx) => {
      await userRepository.lockAdmins(tx);
      const user = await UserModel.findByPk(id, { transaction: tx, lock: tx.LOCK.UPDATE });
      if (!user) throw new NotFoundError('The user');
      const losesAdmin =
        user.role === 'admin' && !user.disabled && ((patch.role !== undefined && patch.role !== 'admin') || patch.disabled === true);
      if (losesAdmin) {
        const activeAdmins = await UserModel.count({ where: { role: 'admin', disabled: false }, transaction: tx });
        if (activeAdmins <= 1) {
          throw new ConflictError('last-admin', 'The last active admin cannot be disabled or demoted.');
        }
      }
      const revokes = (patch.disabled === true && !user.disabled) || (patch.role !== undefined && patch.role !== user.role);
      if (patch.name !== undefined) user.name = patch.name.trim();
      if (patch.role !== undefined) user.role = patch.role;
      if (patch.disabled !== undefined) user.disabled = patch.disabled;
      // A new token version makes every outstanding access token of this user stale at once.
      if (revokes) user.tokenVersion += 1;
      await user.save({ transaction: tx });
      if (patch.disabled === true) {
        if (!this.revokeRefreshTokens) throw new Error('UsersService needs auth to disable a user');
        await this.revokeRefreshTokens(id, tx);
      }
      // Open sockets were authorised with the old role or an enabled account: cut them.
      if (revokes) await recordInternalEvent(tx, { type: 'user.sessions_revoked', data: { userId: id } });
      return toUserView(user);
    });
  }

  /**
   * Sets a new password chosen by an admin and ends every session of the user, as disabling does:
   * refresh tokens revoked, access tokens stale (token version), sockets cut. The row lock orders
   * it against a concurrent update of the same user.
   */
  async setPassword(id: string, password: string): Promise<void> {
    const passwordHash = await hashPassword(password);
    await this.sequelize.transaction(async (tx) => {
      const user = await UserModel.findByPk(id, { transaction: tx, lock: tx.LOCK.UPDATE });
      if (!user) throw new NotFoundError('The user');
      if (!this.revokeRefreshTokens) throw new Error('UsersService needs auth to set a password');
      user.passwordHash = passwordHash;
      user.tokenVersion += 1;
      await user.save({ transaction: tx });
      await this.revokeRefreshTokens(id, tx);
      await recordInternalEvent(tx, { type: 'user.sessions_revoked', data: { userId: id } });
    });
  }

  /**
   * Creates the first admin from ADMIN_EMAIL / ADMIN_PASSWORD when no admin exists. Idempotent
   * across restarts and never overwrites an existing user.
   */
  async ensureInitialAdmin(admin: { email: string; password: string } | null): Promise<void> {
    if (!admin) return;
    const existingAdmin = await UserModel.count({ where: { role: 'admin' } });
    if (existingAdmin > 0) return;
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
