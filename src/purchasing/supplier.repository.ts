import type { DbTarget, Tx } from '../platform/db/db';
import { sql, sqlOne } from '../platform/db/sql';

export interface SupplierRecord {
  id: string;
  name: string;
  vatNumber: string | null;
  email: string | null;
  phone: string | null;
  leadTimeDays: number | null;
  archived: boolean;
  createdAt: Date;
  updatedAt: Date;
}

export type SupplierFields = Omit<SupplierRecord, 'id' | 'createdAt' | 'updatedAt'>;

interface SupplierRow {
  id: string;
  name: string;
  vat_number: string | null;
  email: string | null;
  phone: string | null;
  lead_time_days: number | null;
  archived: boolean;
  created_at: Date;
  updated_at: Date;
}

const toRecord = (r: SupplierRow): SupplierRecord => ({
  id: r.id,
  name: r.name,
  vatNumber: r.vat_number,
  email: r.email,
  phone: r.phone,
  leadTimeDays: r.lead_time_days,
  archived: r.archived,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

/** Field → column of the changes a PATCH may make. */
const COLUMNS: Record<keyof SupplierFields, string> = {
  name: 'name',
  vatNumber: 'vat_number',
  email: 'email',
  phone: 'phone',
  leadTimeDays: 'lead_time_days',
  archived: 'archived',
};

/** The `suppliers` table: the only code that names it. */
export const supplierRepository = {
  async insert(tx: Tx, id: string, s: SupplierFields): Promise<SupplierRecord> {
    const row = await sqlOne<SupplierRow>(
      tx,
      `INSERT INTO suppliers (id, name, vat_number, email, phone, lead_time_days, archived)
       VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING *`,
      [id, s.name, s.vatNumber, s.email, s.phone, s.leadTimeDays, s.archived],
    );
    return toRecord(row as SupplierRow);
  },

  async find(target: DbTarget, id: string): Promise<SupplierRecord | undefined> {
    const row = await sqlOne<SupplierRow>(target, 'SELECT * FROM suppliers WHERE id = $1', [id]);
    return row && toRecord(row);
  },

  async findMany(target: DbTarget, ids: readonly string[]): Promise<SupplierRecord[]> {
    if (ids.length === 0) return [];
    const rows = await sql<SupplierRow>(target, 'SELECT * FROM suppliers WHERE id = ANY($1::uuid[])', [[...new Set(ids)]]);
    return rows.map(toRecord);
  },

  async update(tx: Tx, id: string, change: Partial<SupplierFields>): Promise<SupplierRecord | undefined> {
    const entries = Object.entries(change).filter(([field, value]) => field in COLUMNS && value !== undefined);
    const sets = entries.map(([field], i) => `${COLUMNS[field as keyof SupplierFields]} = $${i + 2}`);
    const row = await sqlOne<SupplierRow>(tx, `UPDATE suppliers SET ${[...sets, 'updated_at = now()'].join(', ')} WHERE id = $1 RETURNING *`, [
      id,
      ...entries.map(([, value]) => value),
    ]);
    return row && toRecord(row);
  },

  /** By name (case-insensitive) then id, keyset-paged; limit+1 rows (suppliers_name_idx). */
  async page(target: DbTarget, archived: boolean, limit: number, after?: readonly [string, string]): Promise<SupplierRecord[]> {
    const values: unknown[] = [archived, limit + 1];
    const keyset = after ? `AND (lower(name), id) > ($3, $4::uuid)` : '';
    if (after) values.push(after[0], after[1]);
    const rows = await sql<SupplierRow>(target, `SELECT * FROM suppliers WHERE archived = $1 ${keyset} ORDER BY lower(name), id LIMIT $2`, values);
    return rows.map(toRecord);
  },
};
