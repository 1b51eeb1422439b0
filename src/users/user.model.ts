import { Column, DataType, Model, Table } from 'sequelize-typescript';
import type { Role } from '../platform/http/contract';

/** The `users` table as the migrations define it (the schema of record; test/api/platform/models-match-schema.spec.ts compares them). */
@Table({ tableName: 'users', underscored: true })
export class UserModel extends Model {
  @Column({ type: DataType.UUID, primaryKey: true, defaultValue: DataType.UUIDV4 })
  declare id: string;

  @Column({ type: DataType.TEXT, allowNull: false })
  declare email: string;

  @Column({ type: DataType.TEXT, allowNull: false })
  declare name: string;

  @Column({ type: DataType.TEXT, allowNull: false })
  declare role: Role;

  @Column({ type: DataType.TEXT, allowNull: false })
  declare passwordHash: string;

  @Column({ type: DataType.BOOLEAN, allowNull: false })
  declare disabled: boolean;

  @Column({ type: DataType.INTEGER, allowNull: false })
  declare tokenVersion: number;

  /** Whether the customer wants order mails (account mails always go). */
  @Column({ type: DataType.BOOLEAN, allowNull: false, defaultValue: true })
  declare orderEmails: boolean;

  declare createdAt: Date;

  declare updatedAt: Date;
}
