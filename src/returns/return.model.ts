import { Column, DataType, Model, Table } from 'sequelize-typescript';

export type ReturnStatus = 'requested' | 'approved' | 'rejected' | 'received' | 'closed' | 'cancelled';
export type ReturnOrigin = 'customer' | 'staff' | 'carrier';
export type ReturnReason = 'damaged' | 'wrong_item' | 'defective' | 'not_needed' | 'other';

/** The `returns` table as the migrations define it (the schema of record; test/api/platform/models-match-schema.spec.ts compares them). */
@Table({ tableName: 'returns', underscored: true })
export class ReturnModel extends Model {
  @Column({ type: DataType.UUID, primaryKey: true, defaultValue: DataType.UUIDV4 })
  declare id: string;

  /** `R-YYYY-NNNNNN`, from `return_number_seq`. */
  @Column({ type: DataType.TEXT, allowNull: false })
  declare number: string;

  @Column({ type: DataType.UUID, allowNull: false })
  declare orderId: string;

  /** The order's number, snapshotted (order numbers never change). */
  @Column({ type: DataType.TEXT, allowNull: false })
  declare orderNumber: string;

  @Column({ type: DataType.UUID, allowNull: false })
  declare customerId: string;

  @Column({ type: DataType.TEXT, allowNull: false })
  declare status: ReturnStatus;

  @Column({ type: DataType.TEXT, allowNull: false })
  declare origin: ReturnOrigin;

  @Column({ type: DataType.TEXT })
  declare note: string | null;

  @Column({ type: DataType.TEXT })
  declare rejectReason: string | null;

  /** The shipment a carrier sent back (origin `carrier`); unique, so one parcel makes one return. */
  @Column({ type: DataType.UUID })
  declare sourceShipmentId: string | null;

  @Column({ type: DataType.UUID })
  declare createdBy: string | null;

  /** Σ of the lines' refunds, set at receipt (bigint as text). */
  @Column({ type: DataType.BIGINT, allowNull: false, defaultValue: 0 })
  declare proposedCents: string;

  /** Σ of the refunds naming this return that did not fail, kept by a trigger on refunds; ≤ proposedCents (a CHECK). */
  @Column({ type: DataType.BIGINT, allowNull: false, defaultValue: 0 })
  declare refundedCents: string;

  @Column({ type: DataType.DATE, allowNull: false })
  declare createdAt: Date;

  @Column({ type: DataType.DATE, allowNull: false })
  declare updatedAt: Date;
}

/** The `return_lines` table: per product, units asked for, received, restocked and scrapped (restocked + scrapped = received, a CHECK). */
@Table({ tableName: 'return_lines', underscored: true, timestamps: false })
export class ReturnLineModel extends Model {
  @Column({ type: DataType.UUID, primaryKey: true })
  declare returnId: string;

  @Column({ type: DataType.UUID, primaryKey: true })
  declare productId: string;

  @Column({ type: DataType.TEXT, allowNull: false })
  declare sku: string;

  @Column({ type: DataType.TEXT, allowNull: false })
  declare name: string;

  @Column({ type: DataType.INTEGER, allowNull: false })
  declare quantity: number;

  @Column({ type: DataType.TEXT, allowNull: false })
  declare reason: ReturnReason;

  @Column({ type: DataType.INTEGER, allowNull: false, defaultValue: 0 })
  declare receivedQuantity: number;

  @Column({ type: DataType.INTEGER, allowNull: false, defaultValue: 0 })
  declare restockedQuantity: number;

  @Column({ type: DataType.INTEGER, allowNull: false, defaultValue: 0 })
  declare scrappedQuantity: number;

  /** bigint, as text. */
  @Column({ type: DataType.BIGINT, allowNull: false })
  declare unitGrossCents: string;

  /** bigint, as text: the refund proposed for the received units, fixed at receipt. */
  @Column({ type: DataType.BIGINT, allowNull: false, defaultValue: 0 })
  declare refundCents: string;
}
