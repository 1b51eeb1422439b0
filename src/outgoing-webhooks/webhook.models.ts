import { Column, DataType, Model, Table } from 'sequelize-typescript';

/*
 * The outgoing-webhook tables as migration 0009 defines them (the schema of record;
 * test/api/platform/models-match-schema.spec.ts compares them). The repository reads and writes
 * through these where it can, and through sql() for the claim and fan-out statements.
 */

@Table({ tableName: 'webhook_subscriptions', underscored: true })
export class WebhookSubscriptionModel extends Model {
  @Column({ type: DataType.UUID, primaryKey: true, defaultValue: DataType.UUIDV4 })
  declare id: string;

  @Column({ type: DataType.TEXT, allowNull: false })
  declare url: string;

  @Column({ type: DataType.TEXT })
  declare description: string | null;

  @Column({ type: DataType.JSONB, allowNull: false })
  declare eventTypes: string[];

  @Column({ type: DataType.BOOLEAN, allowNull: false, defaultValue: true })
  declare enabled: boolean;

  @Column({ type: DataType.TEXT })
  declare disabledReason: string | null;

  @Column({ type: DataType.TEXT, allowNull: false })
  declare secretCiphertext: string;

  @Column({ type: DataType.TEXT })
  declare previousSecretCiphertext: string | null;

  @Column({ type: DataType.DATE })
  declare previousSecretExpiresAt: Date | null;

  @Column({ type: DataType.DATE })
  declare failingSince: Date | null;

  @Column({ type: DataType.DATE })
  declare lastSuccessAt: Date | null;

  @Column({ type: DataType.DATE })
  declare lastFailureAt: Date | null;

  declare createdAt: Date;

  declare updatedAt: Date;
}

@Table({ tableName: 'webhook_deliveries', underscored: true })
export class WebhookDeliveryModel extends Model {
  @Column({ type: DataType.UUID, primaryKey: true, defaultValue: DataType.UUIDV4 })
  declare id: string;

  @Column({ type: DataType.UUID, allowNull: false })
  declare subscriptionId: string;

  @Column({ type: DataType.TEXT, allowNull: false })
  declare messageId: string;

  @Column({ type: DataType.BIGINT })
  declare eventId: string | null;

  @Column({ type: DataType.TEXT, allowNull: false })
  declare eventType: string;

  @Column({ type: DataType.TEXT, allowNull: false })
  declare body: string;

  @Column({ type: DataType.TEXT, allowNull: false, defaultValue: 'pending' })
  declare status: 'pending' | 'succeeded' | 'failed';

  @Column({ type: DataType.INTEGER, allowNull: false, defaultValue: 0 })
  declare attemptCount: number;

  @Column({ type: DataType.DATE })
  declare nextAttemptAt: Date | null;

  @Column({ type: DataType.DATE })
  declare claimedUntil: Date | null;

  @Column({ type: DataType.DATE })
  declare lastAttemptAt: Date | null;

  @Column({ type: DataType.INTEGER })
  declare lastStatusCode: number | null;

  declare createdAt: Date;

  declare updatedAt: Date;
}

@Table({ tableName: 'webhook_delivery_attempts', underscored: true, timestamps: false })
export class WebhookDeliveryAttemptModel extends Model {
  @Column({ type: DataType.UUID, primaryKey: true, defaultValue: DataType.UUIDV4 })
  declare id: string;

  @Column({ type: DataType.UUID, allowNull: false })
  declare deliveryId: string;

  @Column({ type: DataType.DATE, allowNull: false })
  declare attemptedAt: Date;

  @Column({ type: DataType.INTEGER, allowNull: false })
  declare durationMs: number;

  @Column({ type: DataType.INTEGER })
  declare statusCode: number | null;

  @Column({ type: DataType.TEXT })
  declare errorKind: string | null;

  @Column({ type: DataType.TEXT })
  declare responseBody: string | null;

  @Column({ type: DataType.JSONB, allowNull: false })
  declare requestHeaders: Record<string, string>;

  @Column({ type: DataType.BOOLEAN, allowNull: false, defaultValue: false })
  declare manual: boolean;
}

@Table({ tableName: 'webhook_fanout_cursor', underscored: true, createdAt: false })
export class WebhookFanoutCursorModel extends Model {
  @Column({ type: DataType.SMALLINT, primaryKey: true })
  declare id: number;

  @Column({ type: DataType.BIGINT, allowNull: false })
  declare lastId: string;

  @Column({ type: DataType.JSONB, allowNull: false, defaultValue: [] })
  declare gaps: [number, number][];

  declare updatedAt: Date;
}
