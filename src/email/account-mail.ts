import type { Tx } from '../platform/db/db';

/** Who an account mail goes to (the user's address now, whatever their order mail preference). */
export interface AccountMailRecipient {
  userId: string;
  email: string;
  name: string;
}

/** A mail about the account itself: always sent, never opted out of. */
export type AccountMail =
  | { template: 'password_reset'; to: AccountMailRecipient; resetUrl: string; expiresAt: Date }
  | { template: 'password_changed'; to: AccountMailRecipient; changedAt: Date; how: 'changed' | 'reset' | 'admin' };

/**
 * Records an account mail in the caller's transaction (an `email_messages` row, rendered now): it
 * exists exactly when the change it tells of does, and the mail worker sends it after the commit.
 */
export interface AccountMailer {
  queue(tx: Tx, mail: AccountMail): Promise<void>;
}
