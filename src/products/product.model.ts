import { Column, DataType, Model, Table } from 'sequelize-typescript';

@Table({ tableName: 'products', underscored: true })
export class ProductModel extends Model {
  @Column({ type: DataType.UUID, primaryKey: true, defaultValue: DataType.UUIDV4 })
  declare id: string;

  @Column(DataType.TEXT)
  declare sku: string;

  @Column(DataType.TEXT)
  declare name: string;

  @Column(DataType.TEXT)
  declare description: string | null;

  @Column(DataType.TEXT)
  declare category: string | null;

  @Column(DataType.INTEGER)
  declare unitPriceCents: number;

  @Column(DataType.INTEGER)
  declare vatRate: number;

  @Column(DataType.INTEGER)
  declare reorderLevel: number;

  @Column(DataType.BOOLEAN)
  declare active: boolean;

  @Column(DataType.INTEGER)
  declare onHand: number;

  @Column(DataType.INTEGER)
  declare reserved: number;

  @Column(DataType.INTEGER)
  declare version: number;

  declare createdAt: Date;
  declare updatedAt: Date;
}
