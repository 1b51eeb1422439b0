import { Column, DataType, Model, Table } from 'sequelize-typescript';

/**
 * `product_search_words` (migration 0012): one row per Italian word (lexeme) of a product's name,
 * keyed in `(lexeme, lower(name), id)` order, so a word search walks one index range in name order.
 * Written only by the database's triggers on products (insert, rename, delete); the list reads it
 * through product-list.sql.ts.
 */
@Table({ tableName: 'product_search_words', underscored: true, timestamps: false })
export class ProductSearchWordModel extends Model {
  @Column({ type: DataType.TEXT, primaryKey: true })
  declare lexeme: string;

  /** `lower(name)` of the product: the name order of the list. */
  @Column({ type: DataType.TEXT, primaryKey: true })
  declare nameKey: string;

  @Column({ type: DataType.UUID, primaryKey: true })
  declare productId: string;
}
