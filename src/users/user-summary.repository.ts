import type { DbTarget } from '../platform/db/db';
import { sql } from '../platform/db/sql';

/** What an order answer shows of its customer. */
export interface UserSummaryRecord {
  id: string;
  name: string;
  email: string;
}

/** The users' columns an order answer shows (raw SQL because it is on the hot path). */
export const userSummaryRepository = {
  /**
   * Raw SQL on the hot path (make bench: every order placed and every order page carries its
   * customer): a model `findAll` cost more CPU than the statement itself. The columns are already
   * the record's names, so rows are answered as they come.
   */
  find(target: DbTarget, ids: readonly string[]): Promise<UserSummaryRecord[]> {
    return sql<UserSummaryRecord>(target, 'SELECT id, name, email FROM users WHERE id = ANY($1::uuid[])', [ids]);
  },
};
