import { Column, DataType, Model, Table } from 'sequelize-typescript';

/** The `purchase_orders` table as the migrations define it; the status is derived under its row lock. */
@Table({ tableName: 'purchase_orders', underscored: true })
export class PurchaseOrderModel extends Model {
  @Column({ type: DataType.UUID, primaryKey: true, defaultValue: DataType.UUIDV4 })
  declare id: string;

  /** PO-YYYY-NNNNNN, from purchase_order_number_seq. */
  @Column({ type: DataType.TEXT, allowNull: false })
  declare number: string;

  @Column({ type: DataType.UUID, allowNull: false })
  declare supplierId: string;

  @Column({ type: DataType.TEXT, allowNull: false, defaultValue: 'draft' })
  declare status: string;

  @Column({ type: DataType.DATEONLY })
  declare expectedAt: string | null;

  @Column({ type: DataType.TEXT })
  declare notes: string | null;

  @Column({ type: DataType.INTEGER, allowNull: false, defaultValue: 1 })
  declare version: number;

  @Column({ type: DataType.UUID })
  declare createdBy: string | null;

  @Column({ type: DataType.DATE })
  declare sentAt: Date | null;

  @Column({ type: DataType.DATE })
  declare cancelledAt: Date | null;

  declare createdAt: Date;

  declare updatedAt: Date;
}

/** The `purchase_order_lines` table: quantity > 0, unit cost an int32 ≥ 0, received ≥ 0 (CHECKs). */
@Table({ tableName: 'purchase_order_lines', underscored: true, timestamps: false })
export class PurchaseOrderLineModel extends Model {
  @Column({ type: DataType.UUID, primaryKey: true })
  declare purchaseOrderId: string;

  @Column({ type: DataType.UUID, primaryKey: true })
  declare productId: string;

  @Column({ type: DataType.INTEGER, allowNull: false })
  declare position: number;

  @Column({ type: DataType.INTEGER, allowNull: false })
  declare quantity: number;

  @Column({ type: DataType.INTEGER, allowNull: false })
  declare unitCostCents: number;

  @Column({ type: DataType.INTEGER, allowNull: false, defaultValue: 0 })
  declare receivedQuantity: number;
}

/** The `purchase_receipts` table: one goods receipt of a purchase order. */
@Table({ tableName: 'purchase_receipts', underscored: true, updatedAt: false })
export class PurchaseReceiptModel extends Model {
  @Column({ type: DataType.UUID, primaryKey: true, defaultValue: DataType.UUIDV4 })
  declare id: string;

  @Column({ type: DataType.UUID, allowNull: false })
  declare purchaseOrderId: string;

  @Column({ type: DataType.TEXT })
  declare note: string | null;

  @Column({ type: DataType.BOOLEAN, allowNull: false, defaultValue: false })
  declare allowOverReceipt: boolean;

  @Column({ type: DataType.UUID })
  declare actorId: string | null;

  declare createdAt: Date;
}

/** The `purchase_receipt_lines` table: the units of one receipt per product (quantity > 0). */
@Table({ tableName: 'purchase_receipt_lines', underscored: true, timestamps: false })
export class PurchaseReceiptLineModel extends Model {
  @Column({ type: DataType.UUID, primaryKey: true })
  declare receiptId: string;

  @Column({ type: DataType.UUID, primaryKey: true })
  declare productId: string;

  @Column({ type: DataType.INTEGER, allowNull: false })
  declare quantity: number;

  @Column({ type: DataType.INTEGER, allowNull: false, defaultValue: 0 })
  declare overReceived: number;
}
