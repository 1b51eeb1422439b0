import { Column, DataType, Model, Table } from 'sequelize-typescript';
import type { Role } from '../platform/http/contract';

@Table({ tableName: 'users', underscored: true })
export class UserModel extends Model {
  @Column({ type: DataType.UUID, primaryKey: true, defaultValue: DataType.UUIDV4 })
  declare id: string;

  @Column(DataType.TEXT)
  declare email: string;

  @Column(DataType.TEXT)
  declare name: string;

  @Column(DataType.TEXT)
  declare role: Role;

  @Column(DataType.TEXT)
  declare passwordHash: string;

  @Column(DataType.BOOLEAN)
  declare disabled: boolean;

  @Column(DataType.INTEGER)
  declare tokenVersion: number;

  declare createdAt: Date;
  declare updatedAt: Date;
}
