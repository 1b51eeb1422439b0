import { Column, DataType, Model, Table } from 'sequelize-typescript';

/** The `stock_change_marks` table as the migrations define it: products whose figures changed since the last pass. */
@Table({ tableName: 'stock_change_marks', underscored: true, timestamps: false })
export class StockChangeMarkModel extends Model {
  @Column({ type: DataType.UUID, primaryKey: true })
  declare productId: string;

  @Column({ type: DataType.DATE, allowNull: false, defaultValue: DataType.NOW })
  declare markedAt: Date;
}

/** The `stock_change_pass` table: its single row serialises the passes and remembers when the last one published. */
@Table({ tableName: 'stock_change_pass', underscored: true, timestamps: false })
export class StockChangePassModel extends Model {
  @Column({ type: DataType.SMALLINT, primaryKey: true })
  declare id: number;

  @Column({ type: DataType.DATE, allowNull: false })
  declare publishedAt: Date;
}
