import type { MigrationContext } from '../migrator';

/**
 * Customer mail and account recovery (issue 26).
 *
 * `email_messages`: one row per mail, written in a transaction (by the mail fan-out from the events
 * outbox, or by the account use case that needs the mail) and sent later by a worker that claims due
 * rows with `FOR UPDATE SKIP LOCKED` and a lease (`claimed_until`). UNIQUE (event_id, template) makes
 * the fan-out idempotent: a replayed event or a second instance adds no second mail. A row keeps
 * what was rendered (subject, HTML, text) and its `Message-ID`, the same on every attempt; a resend
 * is a new row pointing at the original (`resend_of`). `email_fanout_cursor` is the fan-out's own
 * cursor over the outbox, as the outgoing webhooks have (`last_id` and the ids below it not yet seen).
 *
 * `password_reset_tokens`: the SHA-256 of a 32-byte random token, valid until `expires_at`, used at
 * most once (`used_at`), dropped (`revoked_at`) when a newer token is issued or the password changes.
 *
 * `users.order_emails`: whether the customer wants order mails (account mails always go).
 */
export async function up({ sequelize }: MigrationContext): Promise<void> {
  await sequelize.query(`
    ALTER TABLE users ADD COLUMN order_emails boolean NOT NULL DEFAULT true;

    CREATE TABLE email_messages (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      event_id bigint,
      template text NOT NULL CHECK (template IN (
        'order_confirmed', 'order_shipped', 'order_delivered', 'order_cancelled', 'refund_made', 'password_reset', 'password_changed')),
      order_id uuid REFERENCES orders (id),
      user_id uuid REFERENCES users (id),
      recipient text NOT NULL CHECK (length(recipient) BETWEEN 3 AND 320 AND recipient !~ '[\\r\\n]'),
      subject text NOT NULL CHECK (subject !~ '[\\r\\n]'),
      html text NOT NULL,
      text text NOT NULL,
      message_id text NOT NULL UNIQUE,
      status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed', 'skipped')),
      skip_reason text CHECK (skip_reason IN ('mail-not-configured', 'opted-out')),
      attempts integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
      next_attempt_at timestamptz,
      claimed_until timestamptz,
      last_attempt_at timestamptz,
      last_reply text,
      resend_of uuid REFERENCES email_messages (id) ON DELETE SET NULL,
      sent_at timestamptz,
      -- Milliseconds, as the list cursors carry them (keyset paging on created_at, id).
      created_at timestamptz(3) NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (event_id, template),
      CHECK ((status = 'sent') = (sent_at IS NOT NULL)),
      CHECK ((status = 'skipped') = (skip_reason IS NOT NULL)),
      CHECK (status = 'pending' OR claimed_until IS NULL),
      CHECK (status <> 'pending' OR next_attempt_at IS NOT NULL)
    );
    CREATE INDEX email_messages_due_idx ON email_messages (next_attempt_at, id) WHERE status = 'pending';
    CREATE INDEX email_messages_order_idx ON email_messages (order_id, created_at DESC, id DESC) WHERE order_id IS NOT NULL;
    CREATE INDEX email_messages_status_idx ON email_messages (status, created_at DESC, id DESC);
    CREATE INDEX email_messages_created_idx ON email_messages (created_at);
    CREATE INDEX email_messages_resend_of_idx ON email_messages (resend_of) WHERE resend_of IS NOT NULL;

    CREATE TABLE email_fanout_cursor (
      id smallint PRIMARY KEY CHECK (id = 1),
      last_id bigint NOT NULL,
      gaps jsonb NOT NULL DEFAULT '[]',
      updated_at timestamptz NOT NULL DEFAULT now()
    );
    INSERT INTO email_fanout_cursor (id, last_id) SELECT 1, coalesce((SELECT max(id) FROM events), 0);

    CREATE TABLE password_reset_tokens (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      user_id uuid NOT NULL REFERENCES users (id),
      token_hash text NOT NULL UNIQUE,
      created_at timestamptz NOT NULL DEFAULT now(),
      expires_at timestamptz NOT NULL,
      used_at timestamptz,
      revoked_at timestamptz,
      CHECK (expires_at > created_at),
      CHECK (used_at IS NULL OR revoked_at IS NULL)
    );
    CREATE INDEX password_reset_tokens_user_idx ON password_reset_tokens (user_id, created_at DESC);
  `);
}

export async function down({ sequelize }: MigrationContext): Promise<void> {
  await sequelize.query(`
    DROP TABLE password_reset_tokens, email_fanout_cursor, email_messages;
    ALTER TABLE users DROP COLUMN order_emails;
  `);
}
