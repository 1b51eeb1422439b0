import { Column, DataType, Model, Table } from 'sequelize-typescript';

/** The `suppliers` table as the migrations define it (the schema of record). */
@Table({ tableName: 'suppliers', underscored: true })
export class SupplierModel extends Model {
  @Column({ type: DataType.UUID, primaryKey: true, defaultValue: DataType.UUIDV4 })
  declare id: string;

  @Column({ type: DataType.TEXT, allowNull: false })
  declare name: string;

  /** 11 digits (a Partita IVA, its check digit verified by the service) or a country code and number. */
  @Column({ type: DataType.TEXT })
  declare vatNumber: string | null;

  @Column({ type: DataType.TEXT })
  declare email: string | null;

  @Column({ type: DataType.TEXT })
  declare phone: string | null;

  @Column({ type: DataType.INTEGER })
  declare leadTimeDays: number | null;

  @Column({ type: DataType.BOOLEAN, allowNull: false, defaultValue: false })
  declare archived: boolean;

  declare createdAt: Date;

  declare updatedAt: Date;
}
