import { Column, DataType, Model, Table } from 'sequelize-typescript';

/** The `shipment_lines` table as the migrations define it: what one shipment holds, per product (quantity > 0, a CHECK). */
@Table({ tableName: 'shipment_lines', underscored: true, timestamps: false })
export class ShipmentLineModel extends Model {
  @Column({ type: DataType.UUID, primaryKey: true })
  declare shipmentId: string;

  @Column({ type: DataType.UUID, primaryKey: true })
  declare productId: string;

  @Column({ type: DataType.INTEGER, allowNull: false })
  declare quantity: number;
}
