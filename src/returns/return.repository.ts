import { Op, type WhereOptions } from 'sequelize';
import type { DbTarget, Tx } from '../platform/db/db';
import { sql, sqlOne, transactionOf } from '../platform/db/sql';
import { ReturnLineModel, ReturnModel, type ReturnOrigin, type ReturnReason, type ReturnStatus } from './return.model';

/** A return as the repository hands it out: a plain object, never a model instance. */
export interface ReturnRecord {
  id: string;
  number: string;
  orderId: string;
  orderNumber: string;
  customerId: string;
  status: ReturnStatus;
  origin: ReturnOrigin;
  note: string | null;
  rejectReason: string | null;
  sourceShipmentId: string | null;
  createdBy: string | null;
  /** Bigint as text: Σ of the lines' refunds, set at receipt. */
  proposedCents: string;
  /** Bigint as text: the refunds naming it that did not fail (a trigger on refunds keeps it). */
  refundedCents: string;
  createdAt: Date;
  updatedAt: Date;
}

/** A line of a return (bigint amounts as text). */
export interface ReturnLineRecord {
  productId: string;
  sku: string;
  name: string;
  quantity: number;
  reason: ReturnReason;
  receivedQuantity: number;
  restockedQuantity: number;
  scrappedQuantity: number;
  unitGrossCents: string;
  refundCents: string;
}

export type ReturnWithLines = ReturnRecord & { lines: ReturnLineRecord[] };

export interface NewReturn {
  orderId: string;
  orderNumber: string;
  customerId: string;
  status: ReturnStatus;
  origin: ReturnOrigin;
  note: string | null;
  sourceShipmentId: string | null;
  createdBy: string | null;
  lines: { productId: string; sku: string; name: string; quantity: number; reason: ReturnReason; unitGrossCents: number }[];
}

export interface ReceiptLine {
  productId: string;
  receivedQuantity: number;
  restockedQuantity: number;
  scrappedQuantity: number;
  refundCents: number;
}

export interface ReturnListParams {
  status?: ReturnStatus;
  orderId?: string;
  customerId?: string;
  /** The keyset position: the last row's (createdAt, id). */
  after?: readonly [string, string];
  limit: number;
}

const plain = (row: ReturnModel | null | undefined): ReturnRecord | undefined => (row ? (row.get({ plain: true }) as ReturnRecord) : undefined);

/** returns and return_lines: the only code that names them. */
export const returnRepository = {
  /**
   * The return and its lines. Raw for the number (`R-YYYY-NNNNNN` from its sequence, at least six
   * digits as orders' numbers) and, for a carrier's parcel, `ON CONFLICT DO NOTHING` on its shipment:
   * undefined when that shipment already has its return (a webhook delivered again).
   */
  async insert(tx: Tx, r: NewReturn): Promise<ReturnWithLines | undefined> {
    const created = await sqlOne<{ id: string }>(
      tx,
      `INSERT INTO returns (number, order_id, order_number, customer_id, status, origin, note, source_shipment_id, created_by)
       VALUES ((SELECT 'R-' || to_char(now(), 'YYYY') || '-' || lpad(n::text, greatest(6, length(n::text)), '0') FROM nextval('return_number_seq') n),
               $1, $2, $3, $4, $5, $6, $7, $8)
       ON CONFLICT (source_shipment_id) DO NOTHING RETURNING id`,
      [r.orderId, r.orderNumber, r.customerId, r.status, r.origin, r.note, r.sourceShipmentId, r.createdBy],
    );
    if (!created) return undefined;
    await ReturnLineModel.bulkCreate(
      r.lines.map((l) => ({ ...l, returnId: created.id, unitGrossCents: String(l.unitGrossCents) })),
      { transaction: tx },
    );
    return this.find(tx, created.id);
  },

  async find(target: DbTarget, id: string): Promise<ReturnWithLines | undefined> {
    const row = plain(await ReturnModel.findByPk(id, { transaction: transactionOf(target) }));
    return row && (await this.withLines(target, [row]))[0];
  },

  /** Raw: a row lock (SELECT … FOR UPDATE); the caller holds the order's lock first. */
  async lock(tx: Tx, id: string): Promise<void> {
    await sql(tx, 'SELECT id FROM returns WHERE id = $1 FOR UPDATE', [id]);
  },

  async withLines(target: DbTarget, returns: ReturnRecord[]): Promise<ReturnWithLines[]> {
    if (returns.length === 0) return [];
    const lines = await ReturnLineModel.findAll({
      where: { returnId: { [Op.in]: returns.map((r) => r.id) } },
      order: [['productId', 'ASC']],
      transaction: transactionOf(target),
    });
    return returns.map((r) => ({
      ...r,
      lines: lines
        .filter((l) => l.returnId === r.id)
        .map((l) => {
          const { returnId, ...line } = l.get({ plain: true }) as ReturnLineRecord & { returnId: string };
          void returnId;
          return line;
        }),
    }));
  },

  async setStatus(tx: Tx, id: string, status: ReturnStatus, rejectReason?: string): Promise<void> {
    await ReturnModel.update({ status, ...(rejectReason === undefined ? {} : { rejectReason }), updatedAt: new Date() }, { where: { id }, transaction: tx });
  },

  /** What came back, per line, and the return's proposed refund (the caller holds the return's lock; the tables' CHECKs keep the counts consistent). */
  async recordReceipt(tx: Tx, id: string, lines: readonly ReceiptLine[]): Promise<void> {
    for (const l of lines) {
      await ReturnLineModel.update(
        {
          receivedQuantity: l.receivedQuantity,
          restockedQuantity: l.restockedQuantity,
          scrappedQuantity: l.scrappedQuantity,
          refundCents: String(l.refundCents),
        },
        { where: { returnId: id, productId: l.productId }, transaction: tx },
      );
    }
    // What the return may pay back from now on: refunds naming it stay within it (a CHECK).
    const proposedCents = lines.reduce((sum, l) => sum + l.refundCents, 0);
    await ReturnModel.update({ proposedCents: String(proposedCents) }, { where: { id }, transaction: tx });
  },

  /** Newest first, keyset-paged on (created_at, id); limit+1 rows. */
  async list(target: DbTarget, f: ReturnListParams): Promise<ReturnWithLines[]> {
    const where: WhereOptions[] = [];
    if (f.status) where.push({ status: f.status });
    if (f.orderId) where.push({ orderId: f.orderId });
    if (f.customerId) where.push({ customerId: f.customerId });
    if (f.after) {
      const [at, id] = f.after;
      where.push({ [Op.or]: [{ createdAt: { [Op.lt]: new Date(at) } }, { createdAt: new Date(at), id: { [Op.lt]: id } }] });
    }
    const rows = await ReturnModel.findAll({
      where: { [Op.and]: where },
      order: [
        ['createdAt', 'DESC'],
        ['id', 'DESC'],
      ],
      limit: f.limit + 1,
      transaction: transactionOf(target),
    });
    return this.withLines(
      target,
      rows.map((r) => plain(r) as ReturnRecord),
    );
  },

  /** The order's returns, oldest first (at most 100). */
  async listForOrder(target: DbTarget, orderId: string): Promise<ReturnWithLines[]> {
    const rows = await ReturnModel.findAll({
      where: { orderId },
      order: [
        ['createdAt', 'ASC'],
        ['id', 'ASC'],
      ],
      limit: 100,
      transaction: transactionOf(target),
    });
    return this.withLines(
      target,
      rows.map((r) => plain(r) as ReturnRecord),
    );
  },
};
