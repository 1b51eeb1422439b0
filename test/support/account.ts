import { createHash, randomBytes } from 'node:crypto';
import { query } from './database';
import { h } from './hooks';
import { postFrom, type AddressedResponse } from '../api/security/client-address';

/** Account recovery's test builders (issue 26): reset tokens, and reset requests from a client address of their own. */

export const sha256Hex = (token: string): string => createHash('sha256').update(token).digest('hex');

/** A reset token as the service makes one (32 random bytes, base64url): 43 characters. */
export const newResetToken = (): string => randomBytes(32).toString('base64url');

/**
 * Stores a reset token for `userId` directly (as a mailed link would carry it), for specs of the
 * confirmation that need the token itself; `expired` dates it 40 minutes back (valid 30).
 */
export async function storedResetToken(userId: string, options: { expired?: boolean } = {}): Promise<string> {
  const token = newResetToken();
  const age = options.expired ? '40 minutes' : '0 minutes';
  await query(
    `INSERT INTO password_reset_tokens (user_id, token_hash, created_at, expires_at)
     VALUES ($1, $2, now() - $3::interval, now() - $3::interval + interval '30 minutes')`,
    [userId, sha256Hex(token), age],
  );
  return token;
}

export interface ResetTokenRow {
  token_hash: string;
  created_at: Date;
  expires_at: Date;
  used_at: Date | null;
  revoked_at: Date | null;
}

/** The user's reset tokens, oldest first. */
export function resetTokensOf(userId: string): Promise<ResetTokenRow[]> {
  return query<ResetTokenRow>(
    'SELECT token_hash, created_at, expires_at, used_at, revoked_at FROM password_reset_tokens WHERE user_id = $1 ORDER BY created_at, id',
    [userId],
  );
}

/** The reset token of `token`, by its hash. */
export async function resetTokenRow(token: string): Promise<ResetTokenRow | undefined> {
  const [row] = await query<ResetTokenRow>('SELECT token_hash, created_at, expires_at, used_at, revoked_at FROM password_reset_tokens WHERE token_hash = $1', [
    sha256Hex(token),
  ]);
  return row;
}

let lastAddress = 0;
/**
 * A loopback address no other spec of this process uses (127.26.x.y): reset requests are limited
 * per client address (RATE_LIMIT_PASSWORD_RESET_PER_15_MINUTES), so each test is a client of its own.
 */
export function ownClientAddress(): string {
  lastAddress += 1;
  const n = (process.pid % 200) * 250 + (lastAddress % 250);
  return `127.26.${Math.floor(n / 250) % 250}.${(n % 250) + 1}`;
}

/** POST /auth/password-reset from `address` (see ownClientAddress). */
export function requestReset(address: string, body: unknown, baseUrl: string = h().baseUrl): Promise<AddressedResponse> {
  return postFrom(baseUrl, address, '/api/v1/auth/password-reset', body);
}
