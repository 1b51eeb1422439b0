import { Op, col, fn, where as whereOf, type WhereOptions } from 'sequelize';
import type { Tx } from '../platform/db/db';
import type { Role } from '../platform/http/contract';
import { UserModel } from './user.model';

/** A users row as the service sees it: plain data, never a model instance. */
export interface UserRecord {
  id: string;
  email: string;
  name: string;
  role: Role;
  passwordHash: string;
  disabled: boolean;
  tokenVersion: number;
  /** Whether the user wants order mails (account mails always go). */
  orderEmails: boolean;
  createdAt: Date;
  updatedAt: Date;
}

const plain = (user: UserModel): UserRecord => user.get({ plain: true }) as UserRecord;
const plainOrNull = (user: UserModel | null): UserRecord | null => (user ? plain(user) : null);

/** Who may match a search of users: `q` (a LIKE pattern) in the email or the name, case-insensitive. */
const emailOrNameLike = (like: string): WhereOptions => ({ [Op.or]: [{ email: { [Op.iLike]: like } }, { name: { [Op.iLike]: like } }] });

/** The users table, through its model; the only code that names it (besides user-summary.repository.ts and token-holder.repository.ts, raw SQL for hot paths). */
export const userRepository = {
  async insert(user: Omit<UserRecord, 'id' | 'createdAt' | 'updatedAt'>, tx?: Tx): Promise<UserRecord> {
    return plain(await UserModel.create(user, { transaction: tx }));
  },

  /** In `tx`, the row is locked for update unless `lock` is false (a plain read on the transaction's connection). */
  async findById(id: string, tx?: Tx, lock = true): Promise<UserRecord | null> {
    return plainOrNull(await UserModel.findByPk(id, tx ? { transaction: tx, ...(lock ? { lock: tx.LOCK.UPDATE } : {}) } : {}));
  },

  /** By email, case-insensitive (the unique index users_email_lower_key). */
  async findByEmail(email: string): Promise<UserRecord | null> {
    return plainOrNull(await UserModel.findOne({ where: whereOf(fn('lower', col('email')), email.trim().toLowerCase()) }));
  },

  /**
   * By email (case-insensitive), its row locked until `tx` ends with FOR NO KEY UPDATE: it orders
   * the account's password changes and reset requests, and unlike FOR UPDATE it never delays an
   * order referring to the user (a foreign key's KEY SHARE lock).
   */
  async lockByEmail(tx: Tx, email: string): Promise<UserRecord | null> {
    return plainOrNull(
      await UserModel.findOne({ where: whereOf(fn('lower', col('email')), email.trim().toLowerCase()), transaction: tx, lock: tx.LOCK.NO_KEY_UPDATE }),
    );
  },

  /** By id, its row locked until `tx` ends with FOR NO KEY UPDATE (see lockByEmail). */
  async lockById(tx: Tx, id: string): Promise<UserRecord | null> {
    return plainOrNull(await UserModel.findByPk(id, { transaction: tx, lock: tx.LOCK.NO_KEY_UPDATE }));
  },

  async countAdmins(options: { activeOnly: boolean; tx?: Tx }): Promise<number> {
    return UserModel.count({ where: options.activeOnly ? { role: 'admin', disabled: false } : { role: 'admin' }, transaction: options.tx });
  },

  async customerIdsLike(like: string, limit: number): Promise<string[]> {
    const rows = await UserModel.findAll({ attributes: ['id'], where: { role: 'customer', ...emailOrNameLike(like) }, limit, raw: true });
    return rows.map((u) => u.id);
  },

  /** A page of users newest first, from a keyset `(createdAt, id)` when given. */
  async listNewestFirst(query: { limit: number; role?: Role; like?: string; after?: readonly [string, string] }): Promise<UserRecord[]> {
    const and: WhereOptions[] = [];
    if (query.role) and.push({ role: query.role });
    if (query.like) and.push(emailOrNameLike(query.like));
    if (query.after) {
      const [createdAt, id] = query.after;
      and.push({ [Op.or]: [{ createdAt: { [Op.lt]: createdAt } }, { createdAt, id: { [Op.lt]: id } }] });
    }
    const rows = await UserModel.findAll({
      where: { [Op.and]: and },
      order: [
        ['createdAt', 'DESC'],
        ['id', 'DESC'],
      ],
      limit: query.limit,
    });
    return rows.map(plain);
  },

  /** Writes the changed fields of a user (locked by the caller's transaction) and answers the row as stored. */
  async update(
    tx: Tx,
    id: string,
    changes: Partial<Pick<UserRecord, 'name' | 'role' | 'disabled' | 'passwordHash' | 'tokenVersion' | 'orderEmails'>>,
  ): Promise<UserRecord> {
    const [, rows] = await UserModel.update(changes, { where: { id }, transaction: tx, returning: true });
    const row = rows[0];
    if (!row) throw new Error(`user ${id} vanished under its lock`);
    return plain(row);
  },

  /**
   * Locks every admin row, in id order (so two callers never deadlock), until the transaction ends:
   * two admins demoting each other at once then change the admins one after the other.
   */
  async lockAdmins(tx: Tx): Promise<void> {
    await UserModel.findAll({ attributes: ['id'], where: { role: 'admin' }, order: [['id', 'ASC']], lock: tx.LOCK.UPDATE, transaction: tx, raw: true });
  },
};
