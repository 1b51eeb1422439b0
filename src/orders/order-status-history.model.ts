import { Column, DataType, Model, Table } from 'sequelize-typescript';

/** The `order_status_history` table as the migrations define it (the schema of record; test/api/platform/models-match-schema.spec.ts compares them). */
@Table({ tableName: 'order_status_history', underscored: true, timestamps: false })
export class OrderStatusHistoryModel extends Model {
  @Column({ type: DataType.BIGINT, primaryKey: true, autoIncrement: true })
  declare id: string;

  @Column({ type: DataType.UUID, allowNull: false })
  declare orderId: string;

  @Column({ type: DataType.TEXT })
  declare fromStatus: string | null;

  @Column({ type: DataType.TEXT, allowNull: false })
  declare toStatus: string;

  @Column({ type: DataType.UUID })
  declare actorId: string | null;

  @Column({ type: DataType.TEXT, allowNull: false })
  declare actorRole: string;

  @Column({ type: DataType.TEXT })
  declare reason: string | null;

  @Column({ type: DataType.DATE, allowNull: false, defaultValue: DataType.NOW })
  declare at: Date;
}
