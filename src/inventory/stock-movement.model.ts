import { Column, DataType, Model, Table } from 'sequelize-typescript';

/** The `stock_movements` table as the migrations define it (the schema of record; test/api/platform/models-match-schema.spec.ts compares them). */
@Table({ tableName: 'stock_movements', underscored: true, updatedAt: false })
export class StockMovementModel extends Model {
  @Column({ type: DataType.UUID, primaryKey: true, defaultValue: DataType.UUIDV4 })
  declare id: string;

  @Column({ type: DataType.BIGINT, autoIncrement: true, allowNull: false })
  declare seq: string;

  @Column({ type: DataType.UUID, allowNull: false })
  declare productId: string;

  @Column({ type: DataType.TEXT, allowNull: false })
  declare type: string;

  @Column({ type: DataType.INTEGER, allowNull: false })
  declare delta: number;

  @Column({ type: DataType.INTEGER, allowNull: false })
  declare onHandAfter: number;

  @Column({ type: DataType.TEXT })
  declare reason: string | null;

  @Column({ type: DataType.UUID })
  declare actorId: string | null;

  @Column({ type: DataType.UUID })
  declare orderId: string | null;

  declare createdAt: Date;
}
