import { Column, DataType, Model, Table } from 'sequelize-typescript';

/** The `password_reset_tokens` table as the migrations define it (the schema of record; test/api/platform/models-match-schema.spec.ts compares them). */
@Table({ tableName: 'password_reset_tokens', underscored: true, updatedAt: false })
export class PasswordResetTokenModel extends Model {
  @Column({ type: DataType.UUID, primaryKey: true, defaultValue: DataType.UUIDV4 })
  declare id: string;

  @Column({ type: DataType.UUID, allowNull: false })
  declare userId: string;

  /** SHA-256 of the token, hex: the token itself is never stored. */
  @Column({ type: DataType.TEXT, allowNull: false })
  declare tokenHash: string;

  @Column({ type: DataType.DATE, allowNull: false })
  declare expiresAt: Date;

  @Column({ type: DataType.DATE })
  declare usedAt: Date | null;

  @Column({ type: DataType.DATE })
  declare revokedAt: Date | null;

  declare createdAt: Date;
}
