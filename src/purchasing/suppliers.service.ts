import { randomUUID } from 'node:crypto';
import type { Db } from '../platform/db/db';
import { NotFoundError, ValidationError } from '../platform/errors';
import { cursorScope, keysetAfter, toPage, type Page } from '../platform/http/pagination';
import type { Actor, RequestBody, Schemas } from '../platform/http/contract';
import type { IdempotencyStore, StoredResult } from '../platform/idempotency';
import { supplierRepository as suppliers, type SupplierFields, type SupplierRecord } from './supplier.repository';
import { checkVatNumber } from './vat-number';

export type SupplierView = Schemas['Supplier'];

export function toSupplierView(s: SupplierRecord): SupplierView {
  return {
    id: s.id,
    name: s.name,
    vatNumber: s.vatNumber,
    email: s.email,
    phone: s.phone,
    leadTimeDays: s.leadTimeDays,
    archived: s.archived,
    createdAt: new Date(s.createdAt).toISOString(),
    updatedAt: new Date(s.updatedAt).toISOString(),
  };
}

/** A VAT number as stored (a Partita IVA without `IT`, a foreign one upper-case), or a 400 naming `body.vatNumber` and why. */
function vatNumberOf(input: string | null | undefined): string | null | undefined {
  if (input === undefined || input === null) return input;
  const check = checkVatNumber(input);
  if (!check.ok) throw new ValidationError(`The VAT number ${input} is not valid.`, [{ path: 'body.vatNumber', message: check.problem }]);
  return check.value;
}

/** Suppliers: who purchase orders go to. Staff only. */
export class SuppliersService {
  constructor(
    private readonly db: Db,
    private readonly idempotency: IdempotencyStore,
  ) {}

  async create(input: RequestBody<'createSupplier'>, actor: Actor, key: string | undefined): Promise<StoredResult<SupplierView>> {
    const vatNumber = vatNumberOf(input.vatNumber) ?? null;
    return this.idempotency.run({ userId: actor.id, scope: 'createSupplier', key, fingerprint: input }, async (tx) => {
      const row = await suppliers.insert(tx, randomUUID(), {
        name: input.name.trim(),
        vatNumber,
        email: input.email ?? null,
        phone: input.phone ?? null,
        leadTimeDays: input.leadTimeDays ?? null,
        archived: false,
      });
      return { status: 201, body: toSupplierView(row) };
    });
  }

  async get(id: string): Promise<SupplierView> {
    const row = await suppliers.find(this.db, id);
    if (!row) throw new NotFoundError('The supplier');
    return toSupplierView(row);
  }

  async update(id: string, patch: RequestBody<'updateSupplier'>): Promise<SupplierView> {
    const change: Partial<SupplierFields> = { ...patch, vatNumber: vatNumberOf(patch.vatNumber), name: patch.name?.trim() };
    const row = await this.db.transaction((tx) => suppliers.update(tx, id, change));
    if (!row) throw new NotFoundError('The supplier');
    return toSupplierView(row);
  }

  async list(query: { limit: number; cursor?: string; archived?: boolean }): Promise<Page<SupplierView>> {
    const archived = query.archived ?? false;
    const scope = cursorScope(query, { archived });
    const after = keysetAfter(query.cursor, ['text', 'uuid'], scope);
    const rows = await suppliers.page(this.db, archived, query.limit, after);
    return toPage(rows, query.limit, toSupplierView, (r) => [r.name.toLowerCase(), r.id], scope);
  }
}
