import type { DbTarget } from '../platform/db/db';
import { sqlOne } from '../platform/db/sql';
import type { Role } from '../platform/http/contract';

/** The user an access token names, as its per-request check needs it. */
export interface TokenHolderRecord {
  id: string;
  role: Role;
  disabled: boolean;
  tokenVersion: number;
  /** The caller's condition (`TokenHolderCondition`), evaluated in the same statement. */
  conditionMet: boolean;
}

/**
 * A boolean SQL expression of the caller's over the placeholder `$2` (bound to `value`), evaluated
 * beside the user's row: auth's "has this sign-in ended?" over its own table, so the check stays one
 * round trip while each module's SQL names only its own tables (as the outbox's `recordEventSql`).
 */
export interface TokenHolderCondition {
  sql: string;
  value: unknown;
}

interface TokenHolderRow {
  id: string;
  role: Role;
  disabled: boolean;
  token_version: number;
  condition_met: boolean;
}

const toTokenHolderRecord = (row: TokenHolderRow): TokenHolderRecord => ({
  id: row.id,
  role: row.role,
  disabled: row.disabled,
  tokenVersion: row.token_version,
  conditionMet: row.condition_met,
});

/**
 * The user behind an access token, with `condition`, in one statement; undefined for an unknown
 * user. Raw SQL on the hottest path (every authenticated request not answered from auth's cache).
 */
export async function findTokenHolder(target: DbTarget, userId: string, condition: TokenHolderCondition): Promise<TokenHolderRecord | undefined> {
  const row = await sqlOne<TokenHolderRow>(
    target,
    `SELECT u.id, u.role, u.disabled, u.token_version, (${condition.sql}) AS condition_met FROM users u WHERE u.id = $1`,
    [userId, condition.value],
  );
  return row && toTokenHolderRecord(row);
}
