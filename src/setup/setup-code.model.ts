import { Column, DataType, Model, Table } from 'sequelize-typescript';

/** A one-time code of the first-admin setup link; only its SHA-256 is stored. */
@Table({ tableName: 'setup_codes', underscored: true, updatedAt: false })
export class SetupCodeModel extends Model {
  @Column({ type: DataType.BIGINT, primaryKey: true, autoIncrement: true })
  declare id: string;

  @Column({ type: DataType.BLOB, allowNull: false })
  declare codeHash: Buffer;

  @Column({ type: DataType.DATE, allowNull: false })
  declare expiresAt: Date;

  @Column(DataType.DATE)
  declare usedAt: Date | null;

  declare createdAt: Date;
}
