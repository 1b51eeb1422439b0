import { Column, DataType, Model, Table } from 'sequelize-typescript';

/** The `refunds` table as the migrations define it (the schema of record; test/api/platform/models-match-schema.spec.ts compares them). */
@Table({ tableName: 'refunds', underscored: true })
export class RefundModel extends Model {
  @Column({ type: DataType.UUID, primaryKey: true, defaultValue: DataType.UUIDV4 })
  declare id: string;

  @Column({ type: DataType.UUID, allowNull: false })
  declare paymentId: string;

  @Column({ type: DataType.UUID, allowNull: false })
  declare customerId: string;

  @Column({ type: DataType.BIGINT, allowNull: false })
  declare amountCents: string;

  @Column({ type: DataType.TEXT, allowNull: false, defaultValue: 'pending' })
  declare status: string;

  @Column({ type: DataType.INTEGER, allowNull: false, defaultValue: 0 })
  declare attempts: number;

  @Column({ type: DataType.DATE, allowNull: false, defaultValue: DataType.NOW })
  declare nextAttemptAt: Date;

  @Column({ type: DataType.TEXT })
  declare lastError: string | null;

  /** Why the money goes back (1–500 characters). */
  @Column({ type: DataType.TEXT, allowNull: false })
  declare reason: string;

  /** The return this refund pays back, if any (no foreign key until the returns table is merged). */
  @Column({ type: DataType.UUID })
  declare returnId: string | null;

  /** The staff member who asked for it; null for the service's own (a cancel, an orphan payment). */
  @Column({ type: DataType.UUID })
  declare requestedBy: string | null;

  declare createdAt: Date;

  declare updatedAt: Date;
}
