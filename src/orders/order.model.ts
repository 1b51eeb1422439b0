import { Column, DataType, Model, Table } from 'sequelize-typescript';

/** The `orders` table as the migrations define it (the schema of record; test/api/platform/models-match-schema.spec.ts compares them). */
@Table({ tableName: 'orders', underscored: true })
export class OrderModel extends Model {
  @Column({ type: DataType.UUID, primaryKey: true, defaultValue: DataType.UUIDV4 })
  declare id: string;

  @Column({ type: DataType.TEXT, allowNull: false })
  declare number: string;

  @Column({ type: DataType.UUID, allowNull: false })
  declare customerId: string;

  @Column({ type: DataType.TEXT, allowNull: false })
  declare status: string;

  @Column({ type: DataType.TEXT, allowNull: false, defaultValue: 'EUR' })
  declare currency: string;

  @Column({ type: DataType.BIGINT, allowNull: false })
  declare netCents: string;

  @Column({ type: DataType.BIGINT, allowNull: false })
  declare vatCents: string;

  @Column({ type: DataType.BIGINT, allowNull: false })
  declare grossCents: string;

  @Column({ type: DataType.JSONB, allowNull: false })
  declare shippingAddress: unknown;

  @Column({ type: DataType.TEXT })
  declare notes: string | null;

  @Column({ type: DataType.DATE })
  declare reservedUntil: Date | null;

  @Column({ type: DataType.UUID, allowNull: false })
  declare createdBy: string;

  declare createdAt: Date;

  declare updatedAt: Date;
}
