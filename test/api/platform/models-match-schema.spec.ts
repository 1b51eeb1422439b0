import { expect } from 'chai';
import { MODELS } from '../../../src/models';
import { query } from '../../support/database';

/** Sequelize's type of an attribute → the data_type information_schema reports for its column. */
const PG_TYPE: Record<string, string> = {
  UUID: 'uuid',
  TEXT: 'text',
  INTEGER: 'integer',
  SMALLINT: 'smallint',
  BIGINT: 'bigint',
  BOOLEAN: 'boolean',
  JSONB: 'jsonb',
  DATE: 'timestamp with time zone',
  DATEONLY: 'date',
  BLOB: 'bytea',
};

interface ColumnInfo {
  table_name: string;
  column_name: string;
  data_type: string;
  is_nullable: 'YES' | 'NO';
}

describe('models are the schema of record', () => {
  it('has a model for every table, with exactly its columns, types and nullability', async () => {
    const columns = await query<ColumnInfo>(
      `SELECT table_name, column_name, data_type, is_nullable FROM information_schema.columns
        WHERE table_schema = 'public' AND table_name NOT LIKE 'umzug%' AND table_name <> 'SequelizeMeta'`,
    );
    const tables = new Set(columns.map((c) => c.table_name));
    const modelled = new Set(MODELS.map((m) => m.getTableName() as string));
    expect(
      [...tables].filter((t) => !modelled.has(t) && !/migrat/.test(t)),
      'tables without a model',
    ).to.deep.equal([]);

    const mismatches: string[] = [];
    for (const model of MODELS) {
      const table = model.getTableName() as string;
      const inDb = new Map(columns.filter((c) => c.table_name === table).map((c) => [c.column_name, c]));
      const attributes = Object.values(model.getAttributes());
      for (const attribute of attributes) {
        const field = attribute.field as string;
        const column = inDb.get(field);
        if (!column) {
          mismatches.push(`${table}.${field}: in the model, not in the database`);
          continue;
        }
        const type = PG_TYPE[(attribute.type as { key: string }).key];
        if (type !== column.data_type) mismatches.push(`${table}.${field}: model ${type ?? 'unknown type'}, database ${column.data_type}`);
        const modelNullable = attribute.allowNull !== false && attribute.primaryKey !== true;
        if (modelNullable !== (column.is_nullable === 'YES'))
          mismatches.push(`${table}.${field}: model nullable=${modelNullable}, database ${column.is_nullable}`);
      }
      const fields = new Set(attributes.map((a) => a.field));
      for (const name of inDb.keys()) if (!fields.has(name)) mismatches.push(`${table}.${name}: in the database, not in the model`);
    }
    expect(mismatches).to.deep.equal([]);
  });
});
