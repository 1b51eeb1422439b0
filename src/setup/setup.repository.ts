import { Op } from 'sequelize';
import type { DbTarget, Tx } from '../platform/db/db';
import { sql, transactionOf } from '../platform/db/sql';
import { SetupCodeModel } from './setup-code.model';

/** Serialises first-admin creation across requests and instances (pg_advisory_xact_lock key). */
const FIRST_ADMIN_LOCK = 72_410_001;

/** Unspent and unexpired, by the SHA-256 of the code. */
const spendable = (codeHash: Buffer) => ({ codeHash, usedAt: null, expiresAt: { [Op.gt]: new Date() } });

/** The setup codes, through their model, and the first-admin lock. */
export const setupRepository = {
  async insertCode(target: DbTarget, code: { codeHash: Buffer; expiresAt: Date }): Promise<void> {
    await SetupCodeModel.create(code, { transaction: transactionOf(target) });
  },

  /** True when a code with this hash may still be spent. */
  async isSpendable(target: DbTarget, codeHash: Buffer): Promise<boolean> {
    return (await SetupCodeModel.count({ where: spendable(codeHash), transaction: transactionOf(target) })) > 0;
  },

  /** Marks the code used when it may still be spent; false otherwise. */
  async spend(tx: Tx, codeHash: Buffer): Promise<boolean> {
    const [spent] = await SetupCodeModel.update({ usedAt: new Date() }, { where: spendable(codeHash), transaction: tx });
    return spent === 1;
  },

  /** Held until `tx` ends: one first-admin creation at a time, across instances. */
  async lockFirstAdmin(tx: Tx): Promise<void> {
    await sql(tx, 'SELECT pg_advisory_xact_lock($1)', [FIRST_ADMIN_LOCK]);
  },
};
