import { Column, DataType, Model, Table } from 'sequelize-typescript';

export const EMAIL_TEMPLATES = [
  'order_confirmed',
  'order_shipped',
  'order_delivered',
  'order_cancelled',
  'refund_made',
  'return_authorized',
  'password_reset',
  'password_changed',
] as const;
export type EmailTemplate = (typeof EMAIL_TEMPLATES)[number];
export type EmailStatus = 'pending' | 'sent' | 'failed' | 'skipped';
export type EmailSkipReason = 'mail-not-configured' | 'opted-out';

/** The `email_messages` table as the migrations define it (the schema of record; test/api/platform/models-match-schema.spec.ts compares them). */
@Table({ tableName: 'email_messages', underscored: true })
export class EmailMessageModel extends Model {
  @Column({ type: DataType.UUID, primaryKey: true, defaultValue: DataType.UUIDV4 })
  declare id: string;

  @Column({ type: DataType.BIGINT })
  declare eventId: string | null;

  @Column({ type: DataType.TEXT, allowNull: false })
  declare template: EmailTemplate;

  @Column({ type: DataType.UUID })
  declare orderId: string | null;

  @Column({ type: DataType.UUID })
  declare userId: string | null;

  @Column({ type: DataType.TEXT, allowNull: false })
  declare recipient: string;

  @Column({ type: DataType.TEXT, allowNull: false })
  declare subject: string;

  @Column({ type: DataType.TEXT, allowNull: false })
  declare html: string;

  @Column({ type: DataType.TEXT, allowNull: false })
  declare text: string;

  @Column({ type: DataType.TEXT, allowNull: false })
  declare messageId: string;

  @Column({ type: DataType.TEXT, allowNull: false, defaultValue: 'pending' })
  declare status: EmailStatus;

  @Column({ type: DataType.TEXT })
  declare skipReason: EmailSkipReason | null;

  @Column({ type: DataType.INTEGER, allowNull: false, defaultValue: 0 })
  declare attempts: number;

  @Column({ type: DataType.DATE })
  declare nextAttemptAt: Date | null;

  @Column({ type: DataType.DATE })
  declare claimedUntil: Date | null;

  @Column({ type: DataType.DATE })
  declare lastAttemptAt: Date | null;

  @Column({ type: DataType.TEXT })
  declare lastReply: string | null;

  @Column({ type: DataType.UUID })
  declare resendOf: string | null;

  @Column({ type: DataType.DATE })
  declare sentAt: Date | null;

  declare createdAt: Date;

  declare updatedAt: Date;
}

@Table({ tableName: 'email_fanout_cursor', underscored: true, createdAt: false })
export class EmailFanoutCursorModel extends Model {
  @Column({ type: DataType.SMALLINT, primaryKey: true })
  declare id: number;

  @Column({ type: DataType.BIGINT, allowNull: false })
  declare lastId: string;

  @Column({ type: DataType.JSONB, allowNull: false, defaultValue: [] })
  declare gaps: [number, number][];

  declare updatedAt: Date;
}
