import { Column, DataType, Model, Table } from 'sequelize-typescript';

/** The `order_items` table as the migrations define it (the schema of record; test/api/platform/models-match-schema.spec.ts compares them). */
@Table({ tableName: 'order_items', underscored: true, timestamps: false })
export class OrderItemModel extends Model {
  @Column({ type: DataType.UUID, primaryKey: true })
  declare orderId: string;

  @Column({ type: DataType.INTEGER, primaryKey: true })
  declare lineNo: number;

  @Column({ type: DataType.UUID, allowNull: false })
  declare productId: string;

  @Column({ type: DataType.TEXT, allowNull: false })
  declare sku: string;

  @Column({ type: DataType.TEXT, allowNull: false })
  declare name: string;

  @Column({ type: DataType.INTEGER, allowNull: false })
  declare quantity: number;

  @Column({ type: DataType.INTEGER, allowNull: false })
  declare unitPriceCents: number;

  @Column({ type: DataType.INTEGER, allowNull: false })
  declare vatRate: number;

  @Column({ type: DataType.BIGINT, allowNull: false })
  declare netCents: string;

  @Column({ type: DataType.BIGINT, allowNull: false })
  declare vatCents: string;

  @Column({ type: DataType.BIGINT, allowNull: false })
  declare grossCents: string;

  /** Units in shipments not cancelled; with cancelledQuantity never above quantity (a CHECK). */
  @Column({ type: DataType.INTEGER, allowNull: false, defaultValue: 0 })
  declare shippedQuantity: number;

  /** Units that will not ship (the rest cancelled, or the order). */
  @Column({ type: DataType.INTEGER, allowNull: false, defaultValue: 0 })
  declare cancelledQuantity: number;

  /** Units received back by returns; never above shippedQuantity (a CHECK). */
  @Column({ type: DataType.INTEGER, allowNull: false, defaultValue: 0 })
  declare returnedQuantity: number;

  /** Units open returns (requested/approved) ask for, not received yet; returned + held never above shippedQuantity (a CHECK). */
  @Column({ type: DataType.INTEGER, allowNull: false, defaultValue: 0 })
  declare returnHeldQuantity: number;
}
