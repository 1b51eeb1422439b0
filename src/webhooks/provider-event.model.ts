import { Column, DataType, Model, Table } from 'sequelize-typescript';

/** The `provider_events` table as the migrations define it (the schema of record; test/api/platform/models-match-schema.spec.ts compares them). */
@Table({ tableName: 'provider_events', underscored: true, timestamps: false })
export class ProviderEventModel extends Model {
  @Column({ type: DataType.TEXT, primaryKey: true })
  declare provider: string;

  @Column({ type: DataType.TEXT, primaryKey: true })
  declare eventId: string;

  @Column({ type: DataType.TEXT, allowNull: false })
  declare type: string;

  @Column({ type: DataType.DATE, allowNull: false })
  declare receivedAt: Date;

  @Column({ type: DataType.JSONB, allowNull: false })
  declare payload: unknown;

  @Column({ type: DataType.DATE })
  declare processedAt: Date | null;

  @Column({ type: DataType.TEXT })
  declare outcome: string | null;
}
