import { Column, DataType, Model, Table } from 'sequelize-typescript';

/** The `shipments` table as the migrations define it (the schema of record; test/api/platform/models-match-schema.spec.ts compares them). */
@Table({ tableName: 'shipments', underscored: true })
export class ShipmentModel extends Model {
  @Column({ type: DataType.UUID, primaryKey: true, defaultValue: DataType.UUIDV4 })
  declare id: string;

  @Column({ type: DataType.UUID, allowNull: false })
  declare orderId: string;

  @Column({ type: DataType.TEXT, allowNull: false })
  declare carrier: string;

  @Column({ type: DataType.TEXT, allowNull: false })
  declare carrierName: string;

  @Column({ type: DataType.TEXT, allowNull: false })
  declare trackingCode: string;

  @Column({ type: DataType.TEXT })
  declare trackingUrl: string | null;

  @Column({ type: DataType.TEXT })
  declare labelUrl: string | null;

  @Column({ type: DataType.TEXT, allowNull: false })
  declare status: string;

  @Column({ type: DataType.TEXT })
  declare providerShipmentId: string | null;

  @Column({ type: DataType.BIGINT })
  declare rateCents: string | null;

  @Column({ type: DataType.TEXT })
  declare service: string | null;

  @Column({ type: DataType.TEXT })
  declare rateCurrency: string | null;

  @Column({ type: DataType.TEXT })
  declare trackingStatus: string | null;

  declare createdAt: Date;

  declare updatedAt: Date;
}
