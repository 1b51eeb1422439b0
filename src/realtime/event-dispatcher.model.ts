import { Column, DataType, Model, Table } from 'sequelize-typescript';

/** The `event_dispatcher` table as the migrations define it (the schema of record; test/api/platform/models-match-schema.spec.ts compares them). */
@Table({ tableName: 'event_dispatcher', underscored: true, createdAt: false })
export class EventDispatcherModel extends Model {
  @Column({ type: DataType.SMALLINT, primaryKey: true })
  declare id: number;

  @Column({ type: DataType.BIGINT, allowNull: false })
  declare lastId: string;

  @Column({ type: DataType.BIGINT })
  declare gapAt: string | null;

  @Column({ type: DataType.DATE })
  declare gapSince: Date | null;

  declare updatedAt: Date;
}
