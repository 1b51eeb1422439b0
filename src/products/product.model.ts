import { Column, DataType, Model, Table } from 'sequelize-typescript';

/** The `products` table as the migrations define it (the schema of record; test/api/platform/models-match-schema.spec.ts compares them). */
@Table({ tableName: 'products', underscored: true })
export class ProductModel extends Model {
  @Column({ type: DataType.UUID, primaryKey: true, defaultValue: DataType.UUIDV4 })
  declare id: string;

  @Column({ type: DataType.TEXT, allowNull: false })
  declare sku: string;

  @Column({ type: DataType.TEXT, allowNull: false })
  declare name: string;

  @Column({ type: DataType.TEXT })
  declare description: string | null;

  @Column({ type: DataType.TEXT })
  declare category: string | null;

  @Column({ type: DataType.INTEGER, allowNull: false })
  declare unitPriceCents: number;

  @Column({ type: DataType.INTEGER, allowNull: false, defaultValue: 22 })
  declare vatRate: number;

  @Column({ type: DataType.INTEGER, allowNull: false, defaultValue: 0 })
  declare reorderLevel: number;

  @Column({ type: DataType.BOOLEAN, allowNull: false, defaultValue: true })
  declare active: boolean;

  @Column({ type: DataType.INTEGER, allowNull: false, defaultValue: 0 })
  declare onHand: number;

  @Column({ type: DataType.INTEGER, allowNull: false, defaultValue: 0 })
  declare reserved: number;

  @Column({ type: DataType.INTEGER, allowNull: false, defaultValue: 1 })
  declare version: number;

  declare createdAt: Date;

  declare updatedAt: Date;
}
