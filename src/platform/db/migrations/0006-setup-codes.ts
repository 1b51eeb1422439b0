import type { MigrationContext } from '../migrator';

/**
 * One-time codes of the first-admin setup link. Only the SHA-256 of a code is stored: whoever reads
 * the table cannot use it. A code is spent once (used_at) and expires after an hour.
 */
export async function up({ sequelize }: MigrationContext): Promise<void> {
  await sequelize.query(`
    CREATE TABLE setup_codes (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      code_hash bytea NOT NULL UNIQUE,
      expires_at timestamptz NOT NULL,
      used_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now()
    );
  `);
}

export async function down({ sequelize }: MigrationContext): Promise<void> {
  await sequelize.query('DROP TABLE setup_codes;');
}
