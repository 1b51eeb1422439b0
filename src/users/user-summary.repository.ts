import type { DbTarget } from '../platform/db/db';
import { sql } from '../platform/db/sql';

/**
 * The customer summary (`CustomerSummary`: id, name, email) of the user `userId` names, as a JSON
 * object (null for no such user): users' part of orders' one-statement order read, where `userId`
 * is an SQL expression of the caller's (`o.customer_id`).
 */
export function customerSummarySql(userId: string): string {
  return `(SELECT json_build_object('id', u.id, 'name', u.name, 'email', u.email) FROM users u WHERE u.id = ${userId})`;
}

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

  /** Whether the user wants order mails (`order_emails`); undefined for no such user. */
  async orderEmails(target: DbTarget, id: string): Promise<boolean | undefined> {
    // One column by primary key, on the caller's transaction (the mail fan-out's).
    const [row] = await sql<{ order_emails: boolean }>(target, 'SELECT order_emails FROM users WHERE id = $1', [id]);
    return row?.order_emails;
  },
};
