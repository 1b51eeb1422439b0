import type { MigrationContext } from '../migrator';

export async function up({ sequelize }: MigrationContext): Promise<void> {
  await sequelize.query(`
    CREATE TABLE users (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      email text NOT NULL,
      name text NOT NULL,
      role text NOT NULL CHECK (role IN ('admin', 'operator', 'customer')),
      password_hash text NOT NULL,
      disabled boolean NOT NULL DEFAULT false,
      token_version integer NOT NULL DEFAULT 0,
      created_at timestamptz(3) NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE UNIQUE INDEX users_email_lower_key ON users (lower(email));
    CREATE INDEX users_created_at_idx ON users (created_at DESC, id DESC);

    CREATE TABLE refresh_tokens (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      family_id uuid NOT NULL,
      token_hash text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      expires_at timestamptz NOT NULL,
      idle_expires_at timestamptz NOT NULL,
      rotated_at timestamptz,
      revoked_at timestamptz
    );
    CREATE UNIQUE INDEX refresh_tokens_token_hash_key ON refresh_tokens (token_hash);
    CREATE INDEX refresh_tokens_family_idx ON refresh_tokens (family_id);
    CREATE INDEX refresh_tokens_user_idx ON refresh_tokens (user_id);

    -- The transactional outbox: every domain event, written in the transaction of its change.
    CREATE TABLE events (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      type text NOT NULL,
      occurred_at timestamptz NOT NULL DEFAULT clock_timestamp(),
      data jsonb NOT NULL,
      audience_staff boolean NOT NULL DEFAULT true,
      audience_user_id uuid,
      dispatched_at timestamptz
    );
    CREATE INDEX events_undispatched_idx ON events (id) WHERE dispatched_at IS NULL;
    CREATE INDEX events_occurred_at_idx ON events (occurred_at);
  `);
}

export async function down({ sequelize }: MigrationContext): Promise<void> {
  await sequelize.query('DROP TABLE events; DROP TABLE refresh_tokens; DROP TABLE users;');
}
