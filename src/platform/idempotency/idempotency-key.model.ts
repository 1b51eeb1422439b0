import { Column, DataType, Model, Table } from 'sequelize-typescript';

/** The `idempotency_keys` table as the migrations define it (the schema of record; test/api/platform/models-match-schema.spec.ts compares them). */
@Table({ tableName: 'idempotency_keys', underscored: true, updatedAt: false })
export class IdempotencyKeyModel extends Model {
  @Column({ type: DataType.UUID, primaryKey: true })
  declare userId: string;

  @Column({ type: DataType.TEXT, primaryKey: true })
  declare scope: string;

  @Column({ type: DataType.TEXT, primaryKey: true })
  declare key: string;

  @Column({ type: DataType.TEXT, allowNull: false })
  declare requestHash: string;

  @Column({ type: DataType.TEXT, allowNull: false })
  declare state: string;

  @Column({ type: DataType.INTEGER })
  declare responseStatus: number | null;

  @Column({ type: DataType.JSONB })
  declare responseBody: unknown | null;

  @Column({ type: DataType.DATE, allowNull: false })
  declare lockedAt: Date;

  @Column({ type: DataType.DATE, allowNull: false })
  declare expiresAt: Date;

  declare createdAt: Date;
}
