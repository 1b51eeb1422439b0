import { Column, DataType, Model, Table } from 'sequelize-typescript';

/** The `events` table as the migrations define it (the schema of record; test/api/platform/models-match-schema.spec.ts compares them). */
@Table({ tableName: 'events', underscored: true, timestamps: false })
export class EventModel extends Model {
  @Column({ type: DataType.BIGINT, primaryKey: true, autoIncrement: true })
  declare id: string;

  @Column({ type: DataType.TEXT, allowNull: false })
  declare type: string;

  @Column({ type: DataType.DATE, allowNull: false })
  declare occurredAt: Date;

  @Column({ type: DataType.JSONB, allowNull: false })
  declare data: unknown;

  @Column({ type: DataType.BOOLEAN, allowNull: false })
  declare audienceStaff: boolean;

  @Column({ type: DataType.UUID })
  declare audienceUserId: string | null;

  @Column({ type: DataType.DATE })
  declare dispatchedAt: Date | null;
}
