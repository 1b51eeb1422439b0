import { sql, type SqlTarget } from '../platform/db/sql';

export interface SummaryRow {
  id: string;
  name: string;
  email: string;
}

/** The users' columns an order answer shows (raw SQL because it is on the hot path). */
export const userSummaryRepository = {
  /**
   * Raw SQL on the hot path (make bench: every order placed and every order page carries its
   * customer): a model `findAll` cost more CPU than the statement itself.
   */
  find(target: SqlTarget, ids: readonly string[]): Promise<SummaryRow[]> {
    return sql<SummaryRow>(target, 'SELECT id, name, email FROM users WHERE id = ANY($1::uuid[])', [ids]);
  },
};
