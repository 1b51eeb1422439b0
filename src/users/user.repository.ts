import type { Transaction } from 'sequelize';
import { UserModel } from './user.model';

/** The users table, through its model. */
export const userRepository = {
  /**
   * Locks every admin row, in id order (so two callers never deadlock), until the transaction ends:
   * two admins demoting each other at once then change the admins one after the other.
   */
  async lockAdmins(tx: Transaction): Promise<void> {
    await UserModel.findAll({ attributes: ['id'], where: { role: 'admin' }, order: [['id', 'ASC']], lock: tx.LOCK.UPDATE, transaction: tx, raw: true });
  },
};
