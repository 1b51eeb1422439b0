import { Column, DataType, Model, Table } from 'sequelize-typescript';

/** The `payments` table as the migrations define it (the schema of record; test/api/platform/models-match-schema.spec.ts compares them). */
@Table({ tableName: 'payments', underscored: true })
export class PaymentModel extends Model {
  @Column({ type: DataType.UUID, primaryKey: true, defaultValue: DataType.UUIDV4 })
  declare id: string;

  @Column({ type: DataType.UUID, allowNull: false })
  declare orderId: string;

  @Column({ type: DataType.TEXT, allowNull: false })
  declare provider: string;

  @Column({ type: DataType.TEXT, allowNull: false })
  declare status: string;

  @Column({ type: DataType.BIGINT, allowNull: false })
  declare amountCents: string;

  /** Σ of the refunds that did not fail, kept by the `refunds_balance` trigger (never written here); at most amountCents (a CHECK). */
  @Column({ type: DataType.BIGINT, allowNull: false, defaultValue: '0' })
  declare refundedCents: string;

  @Column({ type: DataType.TEXT, allowNull: false, defaultValue: 'EUR' })
  declare currency: string;

  @Column({ type: DataType.TEXT })
  declare reference: string | null;

  @Column({ type: DataType.TEXT })
  declare providerPaymentId: string | null;

  @Column({ type: DataType.TEXT })
  declare failureReason: string | null;

  declare createdAt: Date;

  declare updatedAt: Date;
}
